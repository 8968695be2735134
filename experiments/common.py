"""What every experiment script shares: the --quick/--full/--tool/--out parser, mean with a
normal 95% CI, CSV writing and meta.json. Scripts import it with
`sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))`."""
import argparse
import csv
import json
import math
import os
import platform
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parser(doc, lib, tool, quick_help, full_help):
    """--quick (default) / --full, --tool (default build/apps/<tool>), --out (experiments/<lib>/results)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help=quick_help + " (default)")
    mode.add_argument("--full", action="store_true", help=full_help)
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "apps", tool))
    ap.add_argument("--out", default=os.path.join(ROOT, "experiments", lib, "results"))
    return ap


def mean_ci(values):
    """mean, sd, normal-approximation 95% CI and count of a list of numbers."""
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    half = 1.96 * sd / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return {"mean": mean, "sd": sd, "ci95_low": mean - half, "ci95_high": mean + half, "n": len(values)}


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def write_meta(args, script, **extra):
    """meta.json in args.out: script, mode, args, git sha, tool version, machine, plus `extra`."""
    version = subprocess.run([args.tool, "--version"], capture_output=True, text=True).stdout.strip()
    sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    meta = {"script": script, "mode": "full" if args.full else "quick", "args": vars(args), "git_sha": sha,
            "tool_version": version, "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    meta.update(extra)
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
