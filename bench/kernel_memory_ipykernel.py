"""N ipykernels started by jupyter_client, as Jupyter Server starts them, for bench/kernel-memory.ts.

    /usr/bin/python3 bench/kernel_memory_ipykernel.py N

Each runs one declaring cell and one completion; then one line of JSON, the kernels' pids, is
printed, and they are shut down when stdin closes (after the caller measured them).
"""
import json
import sys

from jupyter_client import KernelManager


def main() -> None:
    managers = []
    try:
        for _ in range(int(sys.argv[1])):
            km = KernelManager(kernel_name="python3")
            km.start_kernel()
            client = km.blocking_client()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            client.execute_interactive("x = 1", timeout=60, output_hook=lambda _msg: None)
            client.complete("import o", 8, reply=True, timeout=60)
            client.stop_channels()
            managers.append(km)
            print(f"\ripykernels started: {len(managers)}/{sys.argv[1]}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        print(json.dumps([km.provisioner.pid for km in managers]), flush=True)
        sys.stdin.read()
    finally:
        for km in managers:
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
