"""A tiny calculator: the sample project the demo pushes through Cocov."""


def add(a, b):
    return a + b


def divide(a, b):
    if b == 0:
        raise ZeroDivisionError("cannot divide by zero")
    return a / b


def mean(values):
    values = list(values)
    if not values:
        return None
    return sum(values) / len(values)
