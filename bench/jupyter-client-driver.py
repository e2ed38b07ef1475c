"""Round trips through a standard Jupyter client (jupyter_client's BlockingKernelClient, as
jupyter console and nbclient use it), for bench/kernel.ts.

    /usr/bin/python3 bench/jupyter-client-driver.py CONNECTION_FILE WARMUP ROUNDS CODE [CODE ...]

Prints one JSON object: each code's round trips in ms (execute_request sent -> idle and reply in).
"""
import json
import sys
import time

from jupyter_client import BlockingKernelClient


def main() -> None:
    connection_file, warmup, rounds, *cells = sys.argv[1:]
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        latencies = {}
        for code in cells:
            for _ in range(int(warmup)):
                run(client, code)
            times = []
            for _ in range(int(rounds)):
                start = time.perf_counter()
                run(client, code)
                times.append((time.perf_counter() - start) * 1000)
            latencies[code] = times
        print(json.dumps(latencies))
    finally:
        client.stop_channels()


def run(client: BlockingKernelClient, code: str) -> None:
    # execute_interactive returns the reply once iopub has said idle for the request.
    reply = client.execute_interactive(code, output_hook=lambda _msg: None, timeout=60)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{code!r}: {reply['content']}")


main()
