#!/usr/bin/env python3
"""Issues-facet quality on third-party traffic (issue 13): tau-bench and Taskmaster-4.

Converts Taskmaster-4 dialogs (../shared/data/taskmaster4, CC BY 4.0) to OpenAI-style trajectories
(user/assistant turns, API calls as tool calls with their responses), ingests them and the tau-bench
runs (../shared/data/tau-bench, MIT) into fresh stores, runs `sift topics run --facets Issues` with the
built-in model, and prints:
- tau-bench: runs flagged, the share of flagged runs that failed (reward 0), the share of failed runs
  flagged, per Issues topic;
- Taskmaster-4: the share of dialogs flagged per scenario (nearly all are healthy orders and questions
  handled by a trained agent; "wrong results", "no results" and "completely off topic" are the
  scenarios where the API or the user goes astray).

Usage: Benchmarks/issues_quality.py [--sift PATH] [--dir WORKDIR] [--tm4-files N]
"""
import argparse, collections, gzip, json, os, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--sift", default=".build/release/sift")
ap.add_argument("--dir", default="/tmp/sift-issues-quality")
ap.add_argument("--tm4-files", type=int, default=8)
args = ap.parse_args()
data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data")
tau = os.path.join(data, "tau-bench/gpt-4o-airline.json")
tm4 = os.path.join(data, "taskmaster4/data")
if not os.path.exists(tau) or not os.path.isdir(tm4):
    sys.exit(f"third-party data not found under {data}: nothing to measure")
os.makedirs(args.dir, exist_ok=True)

def sift(*a):
    return subprocess.run([args.sift, *a], check=True, capture_output=True, text=True).stdout

def rows(db, sql):
    out = sift("query", "--db", db, "--format", "csv", sql).strip().splitlines()
    import csv
    return list(csv.reader(out))[1:]

def fresh(db):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix): os.remove(db + suffix)

# tau-bench
db = os.path.join(args.dir, "tau.db"); fresh(db)
sift("ingest", "--db", db, tau)
sift("topics", "run", "--db", db, "--facets", "Issues")
r = rows(db, "SELECT classifications.Issues[0].label AS issue, count(1) AS runs, sum(CASE WHEN metadata.reward = 0 THEN 1 ELSE 0 END) AS failed "
             "FROM project_logs('default') WHERE is_root GROUP BY issue ORDER BY runs DESC")
total_failed = sum(int(x[2]) for x in r)
flagged = [(x[0], int(x[1]), int(x[2])) for x in r if x[0] != "NONE"]
fr = sum(x[1] for x in flagged); ff = sum(x[2] for x in flagged)
print(f"tau-bench: {sum(int(x[1]) for x in r)} runs, {total_failed} failed; flagged {fr}, of which {ff} failed "
      f"({100 * ff / max(fr, 1):.0f}%); {100 * ff / max(total_failed, 1):.0f}% of failed runs flagged")
for label, runs, failed in flagged:
    print(f"  {label}: {failed}/{runs} failed")

# Taskmaster-4
path = os.path.join(args.dir, "tm4.json")
n = 0
runs = []
if True:
    for i in range(args.tm4_files):
        f = os.path.join(tm4, f"data_0{i}.json.gz")
        if not os.path.exists(f): continue
        for d in json.load(gzip.open(f)):
            msgs = []
            for u in d["utterances"]:
                msgs.append({"role": "user" if u["speaker"] == "user" else "assistant", "content": u["text"]})
                calls = {}
                for a in u.get("annotations", []):
                    calls.setdefault(a["context"].split("_")[-1], {})[a["name"]] = a["value"]
                for k in sorted(calls, key=int):
                    c = calls[k]
                    if "api_call" in c:
                        msgs.append({"role": "assistant", "content": None, "tool_calls": [{"id": f"c{k}", "type": "function",
                                     "function": {"name": c["api_call"], "arguments": c.get("request", "{}")}}]})
                    if "response" in c:
                        msgs.append({"role": "tool", "tool_call_id": f"c{k}", "content": c["response"]})
            runs.append({"id": d["conversation_id"], "scenario": d["scenario"], "messages": msgs})
            n += 1
with open(path, "w") as out:
    json.dump(runs, out)
db = os.path.join(args.dir, "tm4.db"); fresh(db)
sift("ingest", "--db", db, "--format", "trajectories", path)
sift("topics", "run", "--db", db, "--facets", "Issues")
r = rows(db, "SELECT metadata.scenario AS scenario, classifications.Issues[0].label AS issue, count(1) AS n "
             "FROM project_logs('default') WHERE is_root GROUP BY scenario, issue")
by = collections.defaultdict(collections.Counter)
for scen, issue, cnt in r: by[scen][issue] += int(cnt)
tot = sum(sum(c.values()) for c in by.values()); flagged = sum(sum(v for k, v in c.items() if k != "NONE") for c in by.values())
print(f"Taskmaster-4: {tot} dialogs, {flagged} flagged ({100 * flagged / max(tot, 1):.1f}%)")
for scen in sorted(by, key=lambda s: -sum(v for k, v in by[s].items() if k != "NONE")):
    c = by[scen]; f = sum(v for k, v in c.items() if k != "NONE")
    if f: print(f"  {scen}: {f}/{sum(c.values())} flagged: " + ", ".join(f"{k} {v}" for k, v in c.most_common() if k != "NONE"))

def sentiment_by(db, group, title):
    """Runs the Sentiment facet and prints its label shares per value of the SQL expression `group`."""
    sift("topics", "run", "--db", db, "--facets", "Sentiment")
    r = rows(db, f"SELECT {group} AS g, classifications.Sentiment[0].label AS sentiment, count(1) AS n "
                 "FROM project_logs('default') WHERE is_root GROUP BY g, sentiment")
    by = collections.defaultdict(collections.Counter)
    for g, s, cnt in r: by[g][s] += int(cnt)
    print(title)
    for g in sorted(by):
        c = by[g]; t = sum(c.values())
        print(f"  {g} ({t}): " + ", ".join(f"{k} {100 * v / t:.0f}%" for k, v in sorted(c.items())))

# Sentiment against third-party signals: chitchat's "upbeat" rating (1-10, given after the chat),
# and tau-bench's reward (a failed run is not always an unhappy user, so this only shows direction).
chat = os.path.join(data, "chitchat/dataset.json.gz")
if os.path.exists(chat):
    runs = []
    for uid, conv in sorted(json.load(gzip.open(chat)).items()):
        r = conv.get("ratings") or {}
        if "upbeat" not in r or len(conv["messages"]) < 4: continue
        first = conv["messages"][0][0]["sender"]
        msgs = [{"role": "user" if m["sender"] == first else "assistant", "content": m["text"]} for turn in conv["messages"] for m in turn]
        runs.append({"id": uid, "upbeat": r["upbeat"], "messages": msgs})
        if len(runs) >= 3000: break
    path = os.path.join(args.dir, "chitchat.json")
    json.dump(runs, open(path, "w"))
    db = os.path.join(args.dir, "chitchat.db"); fresh(db)
    sift("ingest", "--db", db, "--format", "trajectories", path)
    sentiment_by(db, "CASE WHEN metadata.upbeat >= 8 THEN 'upbeat 8-10' WHEN metadata.upbeat <= 3 THEN 'upbeat 1-3' ELSE 'upbeat 4-7' END",
                 "chitchat sentiment by the upbeat rating (share of conversations):")
sentiment_by(os.path.join(args.dir, "tau.db"), "metadata.reward", "tau-bench sentiment by reward:")
sentiment_by(os.path.join(args.dir, "tm4.db"), "'all'", "Taskmaster-4 sentiment:")
