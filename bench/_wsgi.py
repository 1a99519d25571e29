"""The portal's WSGI application for benchmark servers, reporting the CPU time each request took.

Wall-clock times on a busy shared machine mostly measure the queue for a core.
The worker's CPU time does not: each response carries `Server-Timing: cpu;dur=<ms>`,
the CPU this worker process spent from receiving the request until it started the
response (every middleware, the view, the template; the body is already built by
then). A sync worker serves one request at a time, so it is that request's alone.
Database work done in another process (PostgreSQL's) is not in it.
"""

import time

from docspace_portal.wsgi import application as portal


def application(environ, start_response):
    started = time.process_time()

    def timed_start_response(status, headers, exc_info=None):
        spent = (time.process_time() - started) * 1000
        return start_response(status, [*headers, ("Server-Timing", f"cpu;dur={spent:.3f}")], exc_info)

    return portal(environ, timed_start_response)
