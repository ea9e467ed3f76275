#!/usr/bin/env python3
"""Speed of `sift topics run` on realistic agent traces (issue 13): big conversations, many spans.

The issue's speed target is for traffic like production support agents emit: about 10 spans of
2.5 KB per trace, not the simulator's small spans. No such corpus is public in bulk, so this script
scales a third-party one: the 200 tau-bench airline runs (../shared/data/tau-bench, MIT; a system
prompt with the airline policy, 30-odd user, assistant and tool turns, about 16 KB per run) are
copied N times with every identifier, name and number replaced per copy (consistently within a
copy), so no two traces share their text and the embedding cache cannot short-cut the work. This
measures speed only; quality is measured on the runs themselves (Benchmarks/issues_quality.py).

Prints the corpus's shape (traces, spans, bytes per span), the ingest time, and `sift topics run`'s
time per stage (all built-in facets, built-in models), with peak RSS.

Usage: Benchmarks/topics_scale.py [--traces 20000] [--sift PATH] [--dir WORKDIR] [--facets F,...]
"""
import argparse, json, os, random, re, resource, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--traces", type=int, default=20000)
ap.add_argument("--sift", default=".build/release/sift")
ap.add_argument("--dir", default="/tmp/sift-topics-scale")
ap.add_argument("--facets", default=None)
ap.add_argument("--keep", action="store_true", help="reuse the store if it exists (time topics only)")
args = ap.parse_args()
data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data/tau-bench/gpt-4o-airline.json")
if not os.path.exists(data):
    sys.exit(f"tau-bench runs not found at {data}: nothing to measure")
os.makedirs(args.dir, exist_ok=True)
runs = json.load(open(data))

token = re.compile(r"\b[A-Z0-9]{6}\b|\b[a-z]+_[a-z]+_\d{3,5}\b|\b\d+(?:\.\d+)?\b|\b[A-Z][a-z]{2,}\b")
first_names = ["Ava", "Noah", "Liam", "Emma", "Olivia", "Mason", "Sofia", "Yusuf", "Amelia", "Raj", "Chen", "Fatima", "Lucas", "Mia", "Omar", "Ines"]
keep_words = set()  # capitalised words that are ordinary sentence starts stay as they are
for r in runs:
    for m in r["traj"]:
        for w in re.findall(r"(?:^|[.!?]\s+)([A-Z][a-z]{2,})", str(m.get("content") or "")):
            keep_words.add(w)


def perturb(text, rng, mapping):
    def repl(m):
        s = m.group(0)
        if s in keep_words:
            return s
        if s not in mapping:
            if s[0].isdigit():
                mapping[s] = "".join(rng.choice("123456789") if c.isdigit() else c for c in s)
            elif "_" in s:
                a, b, n = s.split("_")
                mapping[s] = f"{rng.choice(first_names).lower()}_{b}_{rng.randint(1000, 9999)}"
            elif s.isupper() or any(c.isdigit() for c in s):
                mapping[s] = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in s)
            else:
                mapping[s] = s  # other capitalised words (cities, names in the policy) kept
        return mapping[s]
    return token.sub(repl, text)


path = os.path.join(args.dir, f"tau-x{args.traces}.jsonl")
if not os.path.exists(path):
    rng = random.Random(13)
    with open(path + ".tmp", "w") as f:
        for i in range(args.traces):
            r = runs[i % len(runs)]
            mapping = {}
            traj = []
            for m in r["traj"]:
                m = dict(m)
                if m.get("role") != "system" and m.get("content"):
                    m["content"] = perturb(m["content"], rng, mapping)
                if m.get("tool_calls"):
                    m["tool_calls"] = json.loads(perturb(json.dumps(m["tool_calls"]), rng, mapping))
                traj.append(m)
            f.write(json.dumps({"task_id": f"{r['task_id']}-{i}", "reward": r["reward"], "trial": i, "traj": traj}) + "\n")
    os.rename(path + ".tmp", path)

db = os.path.join(args.dir, f"tau-x{args.traces}.db")


def run(*a):
    t = time.time()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", args.sift, *a], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"sift {' '.join(a)} failed: {p.stderr[-2000:]}")
    peak = int(p.stderr.strip().splitlines()[-1]) / 1024
    return time.time() - t, peak, p.stdout, p.stderr


if not (args.keep and os.path.exists(db)):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    secs, peak, out, err = run("ingest", "--db", db, "--format", "trajectories", path)
    print(f"ingest: {secs:.1f} s, peak {peak:.0f} MiB ({os.path.getsize(path) / 2**20:.0f} MiB of JSONL)")

shape = subprocess.run([args.sift, "query", "--db", db, "--format", "csv",
                        "SELECT count(1) AS spans, sum(CASE WHEN is_root THEN 1 ELSE 0 END) AS traces FROM project_logs('default')"],
                       capture_output=True, text=True, check=True).stdout.strip().splitlines()[1].split(",")
spans, traces = int(shape[0]), int(shape[1])
print(f"corpus: {traces} traces, {spans} spans ({spans / traces:.1f} per trace), {os.path.getsize(path) / spans:.0f} bytes of JSONL per span")

topic_args = ["topics", "run", "--db", db] + (["--facets", args.facets] if args.facets else [])
secs, peak, out, err = run(*topic_args)
print(f"topics run: {secs:.1f} s wall, peak {peak:.0f} MiB, {traces / secs:.0f} traces/s")
for line in (out + err).splitlines():
    if line.startswith("Topics for") or re.match(r"^(facet |Task |Sentiment |Issues |---)", line):
        print("  " + line)
