"""Coverage report speed and memory, in every format, beside pycobertura and lcov_cobertura.

    .venv/bin/pip install -r requirements-bench.txt      # the peers (`make bench` does it)
    .venv/bin/python -m benchmarks.coverage_formats [--files 5000] [--lines-per-file 200]

Generates one report per format with the same coverage (5,000 files, 1,000,000 lines by default), then
measures, each in a fresh process so peak memory is its own:
  - parse alone: bytes → Cocov's per-line form (ours), pycobertura's Cobertura + line_statuses of every
    file, lcov_cobertura's LcovCobertura.parse();
  - end to end: the upload (parse, hold) and ProcessCoverageJob (paths resolved against a 5,000-file
    tree, totals, files stored in one transaction) on SQLite.
Peak memory is the rise of the process's peak RSS over what it used before reading the report.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("cocov", "lcov", "cobertura", "jacoco", "go", "simplecov", "coveragepy")
EXTENSION = {"cocov": "json", "lcov": "info", "cobertura": "xml", "jacoco": "xml", "go": "out",
             "simplecov": "json", "coveragepy": "json"}


# --- report generation ---------------------------------------------------------------------------
def hits_at(file_index, line):
    """The same coverage in every format: None = neutral, 0 = missed, n = hits."""
    key = line + file_index
    if key % 7 == 0:
        return None
    if key % 4 == 0:
        return 0
    return key % 13 + 1


def source_path(f):
    return f"src/pkg{f % 50}/module{f}.py"


def generate(fmt, files, per_file, out, sha):
    lines_of = lambda f: [(n, hits_at(f, n)) for n in range(1, per_file + 1)]  # noqa: E731
    with open(out, "w") as w:
        if fmt == "lcov":
            for f in range(files):
                w.write(f"TN:\nSF:/home/runner/work/app/app/{source_path(f)}\n")
                w.writelines(f"DA:{n},{h}\n" for n, h in lines_of(f) if h is not None)
                w.write("end_of_record\n")
        elif fmt == "cobertura":
            w.write('<?xml version="1.0" ?>\n<coverage version="7.0" line-rate="0.8"><sources>'
                    "<source>/home/runner/work/app/app</source></sources><packages><package name=\"p\"><classes>")
            for f in range(files):
                w.write(f'<class name="m{f}" filename="{source_path(f)}" line-rate="0.8"><methods/><lines>')
                w.writelines(f'<line number="{n}" hits="{h}"/>' for n, h in lines_of(f) if h is not None)
                w.write("</lines></class>")
            w.write("</classes></package></packages></coverage>")
        elif fmt == "jacoco":
            w.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><report name="app">')
            for f in range(files):
                package, name = source_path(f).rsplit("/", 1)
                w.write(f'<package name="{package}"><sourcefile name="{name}">')
                w.writelines(f'<line nr="{n}" mi="{0 if h else 2}" ci="{h}" mb="0" cb="0"/>'
                             for n, h in lines_of(f) if h is not None)
                w.write("</sourcefile></package>")
            w.write("</report>")
        elif fmt == "go":
            w.write("mode: count\n")
            for f in range(files):
                w.writelines(f"example.com/app/{source_path(f)}:{n}.1,{n}.40 1 {h}\n"
                             for n, h in lines_of(f) if h is not None)
        elif fmt in ("cocov", "simplecov", "coveragepy"):
            document = {}
            for f in range(files):
                lines = [h for _, h in lines_of(f)]
                if fmt == "cocov":
                    from coverage_reports import linedata
                    import base64

                    document[source_path(f)] = base64.b64encode(linedata.encode(lines)).decode()
                elif fmt == "simplecov":
                    document[f"/home/runner/work/app/app/{source_path(f)}"] = {"lines": lines}
                else:
                    document[source_path(f)] = {
                        "executed_lines": [n for n, h in enumerate(lines, 1) if h],
                        "missing_lines": [n for n, h in enumerate(lines, 1) if h == 0],
                        "excluded_lines": [],
                    }
            if fmt == "cocov":
                json.dump({"commit_sha": sha, "data": document}, w)
            elif fmt == "simplecov":
                json.dump({"RSpec": {"coverage": document, "timestamp": 1}}, w)
            else:
                json.dump({"meta": {"format": 3, "version": "7.6"}, "files": document}, w)


# --- one measurement, in its own process -------------------------------------------------------
def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def measure(kind, fmt, path):
    prepared = prepare_end_to_end() if kind == "job" else None
    data = Path(path).read_bytes() if kind != "pycobertura" else None
    before = rss_kb()
    started = time.perf_counter()
    if kind == "parse":
        from coverage_reports.formats import parse_report

        parsed = parse_report(data)
        lines = sum(len(v) for v in parsed.files.values())
    elif kind == "pycobertura":
        from pycobertura import Cobertura

        report = Cobertura(str(path))
        lines = sum(len(report.line_statuses(name)) for name in report.files())
    elif kind == "lcov_cobertura":
        from lcov_cobertura import LcovCobertura

        parsed = LcovCobertura(data.decode()).parse()
        lines = sum(len(c["lines"]) for p in parsed["packages"].values() for c in p["classes"].values())
    elif kind == "job":
        lines = end_to_end(data, *prepared)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = os.path.getsize(path)
    print(json.dumps({"seconds": seconds, "lines": lines, "bytes": size, "peak_rise_kb": peak - before}))


def prepare_end_to_end():
    """Django, a migrated SQLite database, the repository and its cloned commit: not measured."""
    import django

    from fakegithub import FakeGitHub

    fake = FakeGitHub(org="bench", tokens=("bench-token",)).start()  # receives the coverage status
    fake.add_repo("app")
    os.environ.update(COCOV_GITHUB_API_URL=fake.url, COCOV_GITHUB_TOKEN="bench-token")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from repositories.cloning import clone_commit
    from repositories.models import Commit, Repository

    repository = Repository(name="app", github_id=1)
    repository.issue_token()
    repository.save()
    commit = Commit.objects.create(repository=repository, sha=os.environ["BENCH_SHA"])
    clone_commit(commit)  # ProcessCommitJob has done this by the time coverage is processed
    return repository, commit


def end_to_end(data, repository, commit):
    from coverage_reports.holding import accept_report
    from coverage_reports.models import CoverageInfo
    from coverage_reports.reports import AcceptedReport
    from coverage_reports.uploads import parse_upload
    from jobs.process_coverage import ProcessCoverageJob

    started = time.perf_counter()
    upload = parse_upload(data, commit.sha)
    queued = accept_report(repository, commit.sha, AcceptedReport.from_parsed(upload.parsed))
    uploaded = time.perf_counter()
    ProcessCoverageJob.run(repository.id, commit.sha, queued.blob)
    done = time.perf_counter()
    coverage = CoverageInfo.objects.get(commit=commit)
    assert coverage.status == "completed" and coverage.dropped_paths == 0, (coverage.status, coverage.dropped_paths)
    print(json.dumps({"upload_seconds": uploaded - started, "job_seconds": done - uploaded,
                      "files": coverage.files.count(), "percent": coverage.percent_covered}), file=sys.stderr)
    return coverage.lines_total


def make_tree(root, files, per_file):
    """A git remote holding the source tree the generated reports describe."""
    import git

    work = root / "work"
    for f in range(files):
        target = work / source_path(f)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n" * per_file)
    repo = git.Repo.init(work, initial_branch="master")
    repo.git.add(A=True)
    sha = repo.index.commit("tree").hexsha
    repo.clone(str(root / "remotes" / "bench" / "app.git"), bare=True)
    return sha


def run_measurement(kind, fmt, path, env):
    result = subprocess.run([sys.executable, "-m", "benchmarks.coverage_formats", "--measure", kind, fmt, str(path)],
                            capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"{kind} {fmt} failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    if kind == "job":
        measured.update(json.loads(result.stderr.strip().splitlines()[-1]))
    return measured


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines-per-file", type=int, default=200)
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated subset of " + ", ".join(FORMATS))
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "FORMAT", "PATH"))
    args = parser.parse_args()
    if args.measure:
        return measure(*args.measure)

    work = Path(tempfile.mkdtemp(prefix="cocov-coverage-bench-"))
    total_lines = args.files * args.lines_per_file
    print(f"Reports of {args.files} files, {total_lines:,} lines ({work})")
    sha = make_tree(work, args.files, args.lines_per_file)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cocov.settings", COCOV_GITHUB_ORG_NAME="bench",
               DJANGO_DEBUG="1",
               COCOV_GITHUB_GIT_URL=f"file://{work / 'remotes'}", BENCH_SHA=sha,
               COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH=str(work / "storage"))
    env.pop("COCOV_REDIS_URL", None)

    rows = []
    for fmt in args.formats.split(","):
        path = work / f"report-{fmt}.{EXTENSION[fmt]}"
        generate(fmt, args.files, args.lines_per_file, path, sha)
        parse = run_measurement("parse", fmt, path, env)
        env["DATABASE_URL"] = f"sqlite:///{work / f'job-{fmt}.sqlite3'}"
        job = run_measurement("job", fmt, path, env)
        rows.append((fmt, path, parse, job))
        print(f"\n{fmt}: {parse['bytes'] / 1e6:.1f} MB, {parse['lines']:,} lines")
        print(f"  parse:      {parse['seconds']:6.2f} s  {parse['bytes'] / 1e6 / parse['seconds']:6.1f} MB/s  "
              f"{parse['lines'] / parse['seconds'] / 1e6:5.2f} M lines/s  peak +{parse['peak_rise_kb'] / 1024:.0f} MB "
              f"({parse['peak_rise_kb'] * 1024 / parse['bytes']:.1f}x the report)")
        print(f"  end to end: upload {job['upload_seconds']:.2f} s + ProcessCoverageJob {job['job_seconds']:.2f} s, "
              f"{job['lines'] / (job['upload_seconds'] + job['job_seconds']) / 1e6:.2f} M lines/s, "
              f"peak +{job['peak_rise_kb'] / 1024:.0f} MB ({job['peak_rise_kb'] * 1024 / job['bytes']:.1f}x); "
              f"{job['files']} files, {job['percent']:.2f}%")
        if fmt == "cobertura":
            peer = run_measurement("pycobertura", fmt, path, env)
            print(f"  pycobertura (Cobertura + line_statuses of every file): {peer['seconds']:.2f} s, "
                  f"peak +{peer['peak_rise_kb'] / 1024:.0f} MB → ours is {peer['seconds'] / parse['seconds']:.1f}x "
                  f"faster, {peer['peak_rise_kb'] / max(parse['peak_rise_kb'], 1):.1f}x less memory")
        if fmt == "lcov":
            peer = run_measurement("lcov_cobertura", fmt, path, env)
            print(f"  lcov_cobertura (LcovCobertura.parse): {peer['seconds']:.2f} s, "
                  f"peak +{peer['peak_rise_kb'] / 1024:.0f} MB → ours is {peer['seconds'] / parse['seconds']:.1f}x "
                  f"faster, {peer['peak_rise_kb'] / max(parse['peak_rise_kb'], 1):.1f}x less memory")


if __name__ == "__main__":
    main()
