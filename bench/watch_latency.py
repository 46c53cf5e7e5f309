"""Benchmark: `sluice watch` against tdslite CDC (method: bench/README.md
"sluice watch: latency and idle cost").

1. Latency: --tables CDC tables (default 50), a load of --rate changes per
   second (default 1000) spread over them for --seconds (default 20),
   watch polling every 100 ms. Per change, commit-to-landed latency =
   finished_at of the history line of the run that landed it (the
   watermark is stored just before) minus the change's commit time
   (cdc.lsn_time_mapping.tran_end_time, converted to UTC with the
   server's own offset). Reports p50, p99, max over every change, and the
   achieved change rate.
2. Idle cost: --idle-tables CDC tables (default 300), loaded once, then
   watch polls for --idle-seconds (default 10) at a fixed 200 ms while
   nothing changes. Reports polls, table runs (must be 0), and CPU
   milliseconds per poll of sluice and of tdslite (/proc/PID/stat).

Run: SL_BUILD_DIR=build /usr/bin/python3 bench/watch_latency.py [--quick]
Writes bench/out/watch_latency.json.
"""
import argparse
import datetime
import glob
import json
import os
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from sync_harness import SLUICE, Source, Tmp, history  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / TICK


def make_tables(src, db, n):
    conn = src.connect(db)  # one session: hundreds of logins in a row are not what is measured
    try:
        cur = conn.cursor()
        cur.execute("EXEC sys.sp_cdc_enable_db")
        for i in range(n):
            cur.execute("CREATE TABLE dbo.t%d (id int NOT NULL PRIMARY KEY, v int NOT NULL, "
                        "note nvarchar(20) NULL)" % i)
            cur.execute("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', "
                        "@source_name = N't%d', @role_name = NULL" % i)
    finally:
        conn.close()


def write_config(src, w, db, n, poll, max_poll, parallelism=4):
    path = src.config(w, {db: {"t%d" % i: {"capture": "cdc"} for i in range(n)}},
                      parallelism=parallelism)
    with open(path, "a") as f:
        f.write("watch:\n  poll_interval: %d\n  max_poll_interval: %d\n" % (poll, max_poll))
    return path


def start_watch(src, cfg):
    p = subprocess.Popen([SLUICE, "watch", "--config", cfg], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=src.env())
    lines = []
    t = threading.Thread(target=lambda: [lines.append(l.decode("utf-8", "replace"))
                                         for l in p.stderr], daemon=True)
    t.start()
    return p, lines


def wait_loaded(root, db, n, timeout=600):
    end = time.time() + timeout
    while time.time() < end:
        if len(glob.glob(os.path.join(root, "watermarks", db, "dbo", "*", "watermarks.json"))) >= n:
            return
        time.sleep(0.2)
    raise SystemExit("initial loads did not finish")


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else None


def iso_ms(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1000.0


def latency(src, args):
    db = src.new_db("wlat", ct=False)
    make_tables(src, db, args.tables)
    with Tmp("wlat") as w:
        root = os.path.join(w, "lake")
        cfg = write_config(src, w, db, args.tables, 100, 1000)
        p, lines = start_watch(src, cfg)
        try:
            wait_loaded(root, db, args.tables)
            conn = src.connect(db, autocommit=False)
            cur = conn.cursor()
            total, t0, nid = 0, time.time(), 1
            per_tx = 10  # changes per transaction
            while time.time() - t0 < args.seconds:
                due = (time.time() - t0) * args.rate
                while total < due:
                    t = (total // per_tx) % args.tables
                    rows = ", ".join("(%d, %d, N'x')" % (nid + i, i) for i in range(per_tx))
                    cur.execute("INSERT INTO dbo.t%d (id, v, note) VALUES %s" % (t, rows))
                    conn.commit()
                    nid += per_tx
                    total += per_tx
                time.sleep(0.005)
            elapsed = time.time() - t0
            conn.close()
            # Let watch land the tail.
            end = time.time() + 120
            while time.time() < end:
                landed = sum(sum(e["rows"]["inserts"] for e in history(root, db, "t%d" % i)
                                 if e["status"] == "ok" and e["mode"] == "incremental")
                             for i in range(args.tables))
                if landed >= total:
                    break
                time.sleep(0.2)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=120)
        offset_min = src.sql("SELECT DATEDIFF(minute, SYSUTCDATETIME(), SYSDATETIME())", db)[0][0]
        lat = []
        for i in range(args.tables):
            runs = [e for e in history(root, db, "t%d" % i)
                    if e["status"] == "ok" and e["mode"] == "incremental"]
            rows = src.sql("SELECT c.__$start_lsn, m.tran_end_time, count(*) FROM cdc.dbo_t%d_CT c "
                           "JOIN cdc.lsn_time_mapping m ON m.start_lsn = c.__$start_lsn "
                           "GROUP BY c.__$start_lsn, m.tran_end_time" % i, db) or []
            for lsn, tend, n in rows:
                h = lsn.hex().upper()
                for e in runs:
                    if e["from"]["start_lsn"] < h <= e["to"]["start_lsn"]:
                        commit = (tend - datetime.timedelta(minutes=offset_min)).replace(
                            tzinfo=datetime.timezone.utc).timestamp() * 1000.0
                        lat += [iso_ms(e["finished_at"]) - commit] * n
                        break
        return {"tables": args.tables, "target_rate": args.rate, "seconds": round(elapsed, 1),
                "changes": total, "achieved_rate": round(total / elapsed), "landed": len(lat),
                "p50_ms": round(pct(lat, 0.5)), "p99_ms": round(pct(lat, 0.99)),
                "max_ms": round(max(lat)) if lat else None}


def idle(src, args):
    db = src.new_db("widle", ct=False)
    make_tables(src, db, args.idle_tables)
    with Tmp("widle") as w:
        root = os.path.join(w, "lake")
        cfg = write_config(src, w, db, args.idle_tables, 200, 200)
        p, lines = start_watch(src, cfg)
        try:
            wait_loaded(root, db, args.idle_tables)
            time.sleep(1.0)
            runs0 = sum(len(history(root, db, "t%d" % i)) for i in range(args.idle_tables))
            s0, d0, t0 = cpu_ms(p.pid), cpu_ms(src.server.proc.pid), time.time()
            time.sleep(args.idle_seconds)
            s1, d1, t1 = cpu_ms(p.pid), cpu_ms(src.server.proc.pid), time.time()
            runs1 = sum(len(history(root, db, "t%d" % i)) for i in range(args.idle_tables))
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=120)
        polls = (t1 - t0) * 1000.0 / 200
        return {"tables": args.idle_tables, "seconds": args.idle_seconds, "polls": round(polls),
                "table_runs": runs1 - runs0,
                "sluice_cpu_ms_per_poll": round((s1 - s0) / polls, 2),
                "tdslite_cpu_ms_per_poll": round((d1 - d0) / polls, 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=50)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--idle-tables", type=int, default=300)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--capture-delay-ms", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="5 s of load, 60 idle tables")
    ap.add_argument("--only", choices=["latency", "idle"], help="run one of the two parts")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.idle_tables, args.idle_seconds = 5, 60, 4
    src = Source(args=["--cdc-capture-delay-ms", str(args.capture_delay_ms)])
    out = {"capture_delay_ms": args.capture_delay_ms}
    try:
        if args.only != "idle":
            out["latency"] = latency(src, args)
            print(json.dumps(out["latency"]), flush=True)
        if args.only != "latency":
            out["idle"] = idle(src, args)
    finally:
        src.close()
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "out", "watch_latency.json"), "w") as f:
        json.dump(out, f, indent=2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
