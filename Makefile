.PHONY: demo test bench install

install:
	@scripts/bootstrap.sh

# The push pipeline end to end on the embedded default (SQLite, ORM broker), on real processes.
demo: install
	@.venv/bin/python -m demo

# The test suite on a throwaway PostgreSQL and redis-server.
test: install
	@scripts/with-services.sh .venv/bin/python -m pytest $(PYTEST_ARGS)

bench: install
	@.venv/bin/pip install --quiet -r requirements-bench.txt
	@.venv/bin/python -m benchmarks.webhook_throughput
	@.venv/bin/python -m benchmarks.coverage_formats
