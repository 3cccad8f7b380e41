"""A loopback stand-in for an OpenAI-compatible Chat Completions server, for `scripts/bench answer`.

It speaks the real streaming wire format (`data: {chat.completion.chunk}` lines, a final usage chunk
when `stream_options.include_usage` is set, then `data: [DONE]`) and sends the first token the moment
the request has been read. That first token starts with `[fake N ms]`: the fake's own time from the
request line to writing it, which the benchmark subtracts from the client's wait to get what Parley
adds.

    fake_llm.py --port P [--tokens N] [--interval-ms MS]
"""
import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, default=30)
    parser.add_argument("--interval-ms", type=float, default=10)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def chunk(self, payload):
            data = b"data: " + payload + b"\n\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def do_POST(self):
            started = time.perf_counter()
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if not self.path.endswith("/chat/completions"):
                self.send_error(404)
                return
            model = body.get("model", "fake-model")
            created = int(time.time())
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def delta(content=None, finish=None):
                choice = {"index": 0, "delta": {} if content is None else {"content": content}, "finish_reason": finish}
                return json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": created,
                                   "model": model, "choices": [choice]}).encode()

            try:
                if not body.get("stream"):
                    raise ValueError("the benchmark expects streaming requests")
                own = (time.perf_counter() - started) * 1000
                self.chunk(delta("[fake %.3f ms] According to the sources [1], " % own))
                for index in range(args.tokens):
                    time.sleep(args.interval_ms / 1000)
                    self.chunk(delta("word%d " % index))
                self.chunk(delta(None, "stop"))
                if body.get("stream_options", {}).get("include_usage"):
                    self.chunk(json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": created,
                                           "model": model, "choices": [],
                                           "usage": {"prompt_tokens": 900, "completion_tokens": args.tokens + 6,
                                                     "total_tokens": 906 + args.tokens}}).encode())
                self.chunk(b"[DONE]")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
