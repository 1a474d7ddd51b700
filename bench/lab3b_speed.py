#!/usr/bin/env python3
"""Speed of the Lab3B scenarios (or of the scenarios named after the binary, e.g. Lab3C.X): seeds 1-5
of each, one process per seed (as the grading runner starts them), virtual time from each run's
summary line; prints a Markdown table for docs/benchmarks.md. Each seed runs three times and its fastest run counts: a seed's work is the
same every time (determinism), so the spread between runs is the machine's (a shared VM here
varies by ±30 %), and the minimum is the closest to what the program costs.

    python3 bench/lab3b_speed.py build/labs/multiraft/lab3b_test
    python3 bench/lab3b_speed.py build/labs/multiraft/lab3c_cluster_test Lab3C.BalanceAfterStoresJoin …
    python3 bench/lab3b_speed.py build/labs/txn/lab4d_cluster_test Lab4D.BankUnderPartitionsAndUnreliableLinks …
(for a transactional scenario, "ops" counts its committed transactions)
"""
import os, subprocess, time, re, statistics, sys
tests = ["ConfChangeRecover","ConfChangeRecoverManyClients","ConfChangeUnreliable","ConfChangeUnreliableRecover","ConfChangeSnapshotUnreliableRecover","ConfChangeSnapshotUnreliableRecoverConcurrentPartition","SplitRecover","SplitRecoverManyClients","SplitUnreliable","SplitUnreliableRecover","SplitConfChangeSnapshotUnreliableRecover","SplitConfChangeSnapshotUnreliableRecoverConcurrentPartition","ManyRegionsUnderTransferLeaderStormsAndCrashes"]
if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
    sys.exit("usage: lab3b_speed.py PATH/TO/TEST_BINARY [SUITE.TEST ...] (default: the Lab3B scenarios)")
binary = sys.argv[1]
if len(sys.argv) > 2:
    tests = sys.argv[2:]
else:
    tests = ["Lab3B." + t for t in tests]
print("| scenario | ops (mean) | regions | conf changes | virtual s | wall s | virtual / wall | seeds / min / core |")
print("|---|---|---|---|---|---|---|---|")
for t in tests:
    walls=[]; virts=[]; ops=[]; regs=[]; ccs=[]
    for seed in range(1,6):
        env = dict(os.environ, TINYKV_SEED=str(seed), MIMALLOC_LARGE_OS_PAGES="1")
        runs=[]
        for _ in range(3):
            t0=time.perf_counter()
            out=subprocess.run([binary,"--gtest_filter="+t],capture_output=True,text=True,env=env).stdout
            runs.append(time.perf_counter()-t0)
        walls.append(min(runs))
        m=re.search(r"(\d+) operations, ([\d.]+)s virtual.*?, (\d+) regions, (\d+) conf changes",out)
        if m:
            ops.append(int(m.group(1))); virts.append(float(m.group(2))); regs.append(int(m.group(3))); ccs.append(int(m.group(4)))
        else:  # a transactional scenario (Lab4D): "ops" are its committed transactions
            m=re.search(r"(\d+) committed, .*?, (\d+) regions, (\d+) conf changes, ([\d.]+)s virtual",out)
            if not m: print("no summary for",t,seed,out[-300:]); sys.exit(1)
            ops.append(int(m.group(1))); regs.append(int(m.group(2))); ccs.append(int(m.group(3))); virts.append(float(m.group(4)))
    w=statistics.mean(walls); v=statistics.mean(virts)
    print(f"| {t} | {statistics.mean(ops):,.0f} | {statistics.mean(regs):.1f} | {statistics.mean(ccs):.1f} | {v:.1f} | {w:.3f} | {v/w:,.0f}x | {60/w:,.0f} |")
