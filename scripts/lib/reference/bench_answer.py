"""The client side of `scripts/bench answer` (standard library only).

    bench_answer.py bodies SEARCH_BODIES OUT          {"query": …} lines → {"question": …} lines
    bench_answer.py probe --url U --key K --questions F [--stream] [--concurrency N] [--passes P]
                          [--skip N] [--limit N]

`probe` posts every question (P passes, N client threads, one keep-alive connection each) and prints
JSON: client milliseconds (p50/p95), the server's timings (retrieve/generate/total), and with
--stream the time from sending the request to the first `token` event reaching the client, which
minus the fake LLM's own time before it wrote that token (it reports it in the token): what
Parley adds.
"""
import argparse
import http.client
import json
import re
import statistics
import sys
import threading
import time
import urllib.parse


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return round(ordered[index], 2)


def summary(values):
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "n": len(values)}


def ask(connection, path, key, body, stream):
    payload = dict(body)
    payload["stream"] = stream
    data = json.dumps(payload).encode()
    started = time.perf_counter()
    connection.request("POST", path, body=data, headers={
        "Authorization": "Bearer " + key, "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError("HTTP %d: %s" % (response.status, response.read()[:300]))
    if not stream:
        answer = json.loads(response.read())
        return (time.perf_counter() - started) * 1000, None, answer
    first, fake_ms = None, 0.0
    event, done = None, None
    while True:
        line = response.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if line.startswith(b"event: "):
            event = line[7:].decode()
        elif line.startswith(b"data: "):
            if event == "token" and first is None:
                first = (time.perf_counter() - started) * 1000
                own = re.search(r"\[fake ([0-9.]+) ms\]", json.loads(line[6:]).get("text", ""))
                fake_ms = float(own.group(1)) if own else 0.0
            elif event == "done":
                done = json.loads(line[6:])
            elif event == "error":
                raise RuntimeError("error event: %s" % line[6:].decode())
        if done is not None and line == b"":
            break
    response.read()
    return (time.perf_counter() - started) * 1000, None if first is None else (first, first - fake_ms), done


def probe(args):
    url = urllib.parse.urlsplit(args.url)
    bodies = [json.loads(line) for line in open(args.questions) if line.strip()]
    bodies = bodies[args.skip:args.skip + args.limit] if args.limit else bodies[args.skip:]
    work = [bodies[i % len(bodies)] for i in range(len(bodies) * args.passes)]
    lock = threading.Lock()
    results, failures = [], []

    def worker(offset):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        for index in range(offset, len(work), args.concurrency):
            try:
                results_one = ask(connection, url.path, args.key, work[index], args.stream)
                with lock:
                    results.append(results_one)
            except Exception as error:  # noqa: BLE001 (reported, the run goes on)
                with lock:
                    failures.append(str(error))
                connection.close()
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    answers = [r[2] or {} for r in results]
    out = {
        "requests": len(results), "failures": len(failures), "first_failures": failures[:3],
        "requests_per_second": round(len(results) / elapsed, 1) if elapsed else None,
        "client_ms": summary([r[0] for r in results]),
        "retrieve_ms": summary([a.get("timings", {}).get("retrieve_ms", 0) for a in answers]),
        "generate_ms": summary([a.get("timings", {}).get("generate_ms", 0) for a in answers]),
        "total_ms": summary([a.get("timings", {}).get("total_ms", 0) for a in answers]),
        "cached": sum(1 for a in answers if a.get("cached")),
        "generators": sorted({a.get("generator", "?") for a in answers}),
        "fallbacks": sum(1 for a in answers if a.get("fallback")),
    }
    if args.stream:
        out["first_token_ms"] = summary([r[1][0] for r in results if r[1] is not None])
        # The same minus the fake provider's own time before it wrote the first token.
        out["parley_first_token_ms"] = summary([r[1][1] for r in results if r[1] is not None])
    print(json.dumps(out))


def bodies(args):
    with open(args.out, "w") as out:
        for line in open(args.source):
            if line.strip():
                out.write(json.dumps({"question": json.loads(line)["query"]}) + "\n")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bodies")
    b.add_argument("source")
    b.add_argument("out")
    p = sub.add_parser("probe")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--questions", required=True)
    p.add_argument("--stream", action="store_true")
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--passes", type=int, default=1)
    p.add_argument("--skip", type=int, default=0, help="questions to skip at the start of the file")
    p.add_argument("--limit", type=int, default=0, help="questions to use (0: all)")
    args = parser.parse_args()
    {"bodies": bodies, "probe": probe}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
