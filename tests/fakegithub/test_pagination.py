import pytest
import requests

from fakegithub.pagination import paginate

from .conftest import ORG, TOKEN, github_client

AUTH = {"Authorization": f"token {TOKEN}"}


@pytest.fixture
def many_repos(fake):
    for i in range(75):
        fake.add_repo(f"repo-{i:02d}")


def test_paginated_list_walks_every_page(fake, gh, many_repos):
    fake.clear_requests()

    names = [r.name for r in gh.get_organization(ORG).get_repos()]

    assert len(names) == 75
    assert len(set(names)) == 75
    # GitHub's default order for org repos: sort=created, direction=desc
    assert names[0] == "repo-74" and names[-1] == "repo-00"
    pages = fake.requests_to("GET", rf"^/orgs/{ORG}/repos$")
    assert [r.query for r in pages] == [{}, {"page": "2"}, {"page": "3"}]


def test_client_per_page_is_carried_into_next_links(fake, many_repos):
    gh = github_client(fake, per_page=50)
    fake.clear_requests()

    assert len(list(gh.get_organization(ORG).get_repos())) == 75

    assert [r.query for r in fake.requests_to("GET", "/repos$")] == [
        {"per_page": "50"},
        {"per_page": "50", "page": "2"},
    ]


def test_link_header_has_next_last_first_prev(fake, many_repos):
    url = f"{fake.url}/orgs/{ORG}/repos"

    first = requests.get(url, params={"per_page": 30}, headers=AUTH)
    middle = requests.get(url, params={"per_page": 30, "page": 2}, headers=AUTH)
    last = requests.get(url, params={"per_page": 30, "page": 3}, headers=AUTH)

    assert first.headers["Link"] == (
        f'<{url}?per_page=30&page=2>; rel="next", <{url}?per_page=30&page=3>; rel="last"'
    )
    assert middle.headers["Link"] == (
        f'<{url}?per_page=30&page=1>; rel="prev", <{url}?per_page=30&page=3>; rel="next", '
        f'<{url}?per_page=30&page=3>; rel="last", <{url}?per_page=30&page=1>; rel="first"'
    )
    assert set(last.links) == {"prev", "first"}
    assert [len(r.json()) for r in (first, middle, last)] == [30, 30, 15]


def test_single_page_has_no_link_header(fake):
    fake.add_repo("only")
    resp = requests.get(f"{fake.url}/orgs/{ORG}/repos", headers=AUTH)
    assert "Link" not in resp.headers
    assert [r["name"] for r in resp.json()] == ["only"]


def test_per_page_is_capped_at_100(fake):
    for i in range(120):
        fake.add_repo(f"r{i}")
    resp = requests.get(f"{fake.url}/orgs/{ORG}/repos", params={"per_page": 500}, headers=AUTH)
    assert len(resp.json()) == 100
    assert resp.links["last"]["url"].endswith("page=2")


def test_total_count_uses_last_link(fake, gh, many_repos):
    assert gh.get_organization(ORG).get_repos().totalCount == 75


def test_org_repos_filters_and_sorts(fake):
    fake.add_repo("b-public")
    fake.add_repo("a-private", private=True)
    get = lambda **p: [r["name"] for r in requests.get(f"{fake.url}/orgs/{ORG}/repos", params=p, headers=AUTH).json()]
    assert get(type="private") == ["a-private"]
    assert get(type="public") == ["b-public"]
    assert get(sort="full_name") == ["a-private", "b-public"]
    assert get(sort="created", direction="asc") == ["b-public", "a-private"]


def test_default_page_size_is_configurable():
    from fakegithub import FakeGitHub

    with FakeGitHub(per_page_default=10) as fake:
        for i in range(25):
            fake.add_repo(f"r{i}")
        gh = github_client(fake)
        assert len(list(gh.get_organization("cocov-test").get_repos())) == 25
        assert len(fake.requests_to("GET", "/repos$")) == 3


@pytest.mark.parametrize(
    "page, per_page, expected_items, rels",
    [
        (None, None, [0, 1], {"next", "last"}),
        ("2", "2", [2, 3], {"prev", "next", "last", "first"}),
        ("3", "2", [4], {"prev", "first"}),
        ("9", "2", [], {"prev", "first"}),
        ("x", "0", [0, 1], {"next", "last"}),  # junk falls back to defaults
    ],
)
def test_paginate_unit(page, per_page, expected_items, rels):
    query = [(k, v) for k, v in (("per_page", per_page), ("page", page)) if v is not None]
    items, link = paginate(list(range(5)), query, "http://h:1", "/x", per_page_default=2)
    assert items == expected_items
    assert {part.split('rel="')[1].rstrip('"') for part in link.split(", ")} == rels
