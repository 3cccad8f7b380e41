/*
 * The floor for `scripts/bench http`: the least a libfcgi responder can do per request.
 *
 * Started by spawn-fcgi with the listening socket on fd 0, as many processes as Parley has workers
 * (spawn-fcgi -F N). Each process runs HELLO_THREADS threads (default 16, Parley's PARLEY_THREADS
 * default), each in a plain FCGX_Accept_r loop. Same process and thread counts as the pool, and
 * nginx talks to both with fastcgi_keep_conn on: the comparison then measures what Parley adds
 * (routing, headers, JSON, logging, the database), not a different concurrency model.
 *
 * No accept mutex: a thread that holds a kept-alive nginx connection blocks reading its next
 * request inside FCGX_Accept_r, so serializing accepts would stall every other thread behind it.
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const char response[] =
    "Status: 200\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "hello";

static void *serve(void *unused) {
    FCGX_Request request;
    (void)unused;
    if (FCGX_InitRequest(&request, 0, 0) != 0) {
        return NULL;
    }
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, (int)sizeof(response) - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(void) {
    const char *env = getenv("HELLO_THREADS");
    int threads = env ? atoi(env) : 16;
    if (threads < 1) {
        threads = 1;
    }
    if (FCGX_Init() != 0) {
        fprintf(stderr, "fcgi_hello: FCGX_Init failed\n");
        return 1;
    }
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    if (ids == NULL) {
        return 1;
    }
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, serve, NULL) != 0) {
            fprintf(stderr, "fcgi_hello: pthread_create failed\n");
            return 1;
        }
    }
    serve(NULL); /* the main thread is the first responder */
    return 0;
}
