"""The kernel's own time for a notebook's cells, for bench/notebook-run.ts: jupyter_client's
BlockingKernelClient (as nbclient uses it) connected straight to the kernel process the server
started, through its connection file, with no server in the path.

    /usr/bin/python3 bench/notebook-direct-driver.py CONNECTION_FILE CELLS_JSON

Sends every cell at once (the kernel queues them, as the runner and JupyterLab's Run all send them)
and waits until each has its execute_reply and its idle status. Prints {"ms": elapsed}.
"""
import json
import sys
import time

from jupyter_client import BlockingKernelClient


def main() -> None:
    connection_file, cells_file = sys.argv[1:]
    with open(cells_file) as f:
        cells = json.load(f)
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        start = time.perf_counter()
        ids = [client.execute(code, store_history=True, allow_stdin=False, stop_on_error=True) for code in cells]
        pending = set(ids)
        # Replies first, then the statuses: what arrives meanwhile waits in its socket.
        replies = 0
        while replies < len(ids):
            msg = client.get_shell_msg(timeout=60)
            if msg["parent_header"].get("msg_id") in pending:
                if msg["content"]["status"] != "ok":
                    raise RuntimeError(f"cell failed: {msg['content']}")
                replies += 1
        idle = set()
        while len(idle) < len(ids):
            msg = client.get_iopub_msg(timeout=60)
            parent = msg["parent_header"].get("msg_id")
            if parent in pending and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle.add(parent)
        print(json.dumps({"ms": (time.perf_counter() - start) * 1000}))
    finally:
        client.stop_channels()


main()
