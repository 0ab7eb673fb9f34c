/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's HTTP server (see web.h).
 */
#include "tools/vstm32/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/usbip_client.h"
#include "tools/vstm32/web_mhd.h"
#include "tools/vstm32/web_page.h"

#define WEB_MAX_JOBS 16
#define WEB_KEEPALIVE_MS 2000       /* an idle stream gets a comment line this often */
#define WEB_IDLE_TIMEOUT_S 30       /* a connection silent this long is closed */

enum job_state { JOB_FREE, JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_ABANDONED };

struct web_job {
    enum job_state state;
    unsigned board;
    const struct board_action *act;
    char word[16];                  /* the action's argument word ("1" for boot0 1) */
    int rc;
    char reply[1024];
};

struct web_board {
    char *json;                     /* last snapshot, NULL before the first */
    uint64_t gen;                   /* bumped at each publish */
};

struct web {
    struct MHD_Daemon *daemon;
    unsigned nboards;
    uint16_t port;
    bool loopback;
    char url[96];
    int wake_fd;                    /* eventfd: jobs queued */
    pthread_mutex_t mu;
    pthread_cond_t cv;              /* publishes, job results, stop */
    bool stopping;
    unsigned nstreams;
    struct web_board *boards;
    char *index_json;
    char *table_json;
    struct web_job jobs[WEB_MAX_JOBS];
};

/* ---- addresses ----------------------------------------------------------- */

static int parse_spec(const char *spec, struct sockaddr_storage *ss, socklen_t *len, bool *loopback,
                      bool *v6, char *err, size_t errlen)
{
    char host[128], port[16];
    if (usbip_parse_hostport(spec, strlen(spec), host, sizeof host, port, sizeof port) < 0 ||
        !*host || !*port) {
        snprintf(err, errlen, "--web %s: not ADDR:PORT (e.g. 127.0.0.1:8080)", spec);
        return -1;
    }
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (*end || p > 65535) {
        snprintf(err, errlen, "--web %s: port '%s' is not 0..65535", spec, port);
        return -1;
    }
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)p);
        *len = sizeof *in4;
        *loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
        *v6 = false;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)p);
        *len = sizeof *in6;
        *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        *v6 = true;
    } else {
        snprintf(err, errlen, "--web %s: '%s' is not an IPv4 or IPv6 address", spec, host);
        return -1;
    }
    return 0;
}

/* ---- responses ------------------------------------------------------------ */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned code, const char *type,
                                 const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* the page loads only its own script and style, and talks only to us */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned code, const char *msg)
{
    char body[512];
    snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", msg);
    return send_text(conn, code, "application/json", body);
}

/* The last published text (copied under the lock), or 503 before any. */
static enum MHD_Result send_published(struct web *w, struct MHD_Connection *conn, char **slot)
{
    pthread_mutex_lock(&w->mu);
    char *copy = *slot ? strdup(*slot) : NULL;
    pthread_mutex_unlock(&w->mu);
    if (!copy)
        return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no snapshot yet");
    enum MHD_Result ret = send_text(conn, MHD_HTTP_OK, "application/json", copy);
    free(copy);
    return ret;
}

/* ---- paths ---------------------------------------------------------------- */

/* "N" or "N/..." at p: the board index (digits only, below nboards) and
 * where it ends; -1 otherwise. */
static int parse_board(const struct web *w, const char *p, const char **rest)
{
    unsigned n = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4) {
        n = n * 10u + (unsigned)(*p++ - '0');
        digits++;
    }
    if (!digits || (*p && *p != '/') || n >= w->nboards)
        return -1;
    *rest = p;
    return (int)n;
}

/* ---- event streams -------------------------------------------------------- */

struct stream {
    struct web *w;
    unsigned board;
    uint64_t sent_gen;
    char *pending;                  /* text not yet handed to MHD */
    size_t off, len;
};

static void set_pending(struct stream *st, char *text)
{
    free(st->pending);
    st->pending = text;
    st->off = 0;
    st->len = text ? strlen(text) : 0;
}

/* One connection's thread (MHD_USE_THREAD_PER_CONNECTION): waits for the
 * next publish, at most WEB_KEEPALIVE_MS at a time. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *st = cls;
    struct web *w = st->w;
    if (st->off == st->len) {
        pthread_mutex_lock(&w->mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += WEB_KEEPALIVE_MS / 1000;
        while (!w->stopping && w->boards[st->board].gen == st->sent_gen)
            if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
                break;
        char *text = NULL;
        bool stop = w->stopping;
        const char *json = w->boards[st->board].json;
        if (!stop && w->boards[st->board].gen != st->sent_gen && json) {
            size_t n = strlen(json) + 32;
            text = malloc(n);
            if (text)
                snprintf(text, n, "event: snapshot\ndata: %s\n\n", json);
            st->sent_gen = w->boards[st->board].gen;
        }
        pthread_mutex_unlock(&w->mu);
        if (stop)
            return MHD_CONTENT_READER_END_OF_STREAM;
        set_pending(st, text ? text : strdup(": keep-alive\n\n"));
        if (!st->pending)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = st->len - st->off < max ? st->len - st->off : max;
    memcpy(buf, st->pending + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    pthread_mutex_lock(&st->w->mu);
    st->w->nstreams--;
    pthread_mutex_unlock(&st->w->mu);
    free(st->pending);
    free(st);
}

static enum MHD_Result send_stream(struct web *w, struct MHD_Connection *conn, unsigned board)
{
    pthread_mutex_lock(&w->mu);
    bool full = w->nstreams >= WEB_MAX_STREAMS;
    if (!full)
        w->nstreams++;
    pthread_mutex_unlock(&w->mu);
    if (full)
        return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many event streams");
    struct stream *st = calloc(1, sizeof *st);
    struct MHD_Response *r =
        st ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, st, stream_free)
           : NULL;
    if (!r) {
        if (st) {
            st->w = w;
            stream_free(st);
        } else {
            pthread_mutex_lock(&w->mu);
            w->nstreams--;
            pthread_mutex_unlock(&w->mu);
        }
        return MHD_NO;
    }
    st->w = w;
    st->board = board;
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- buttons -------------------------------------------------------------- */

/* Queue act (NULL: a fresh snapshot of the board) for the session's loop
 * and wait for its answer, at most WEB_ACTION_WAIT_MS: 0 or -1 (the
 * action's) with reply filled, or -2 when the loop did not answer. */
static int run_on_loop(struct web *w, unsigned board, const struct board_action *act,
                       const char *word, char *reply, size_t cap)
{
    pthread_mutex_lock(&w->mu);
    struct web_job *job = NULL;
    for (unsigned i = 0; i < WEB_MAX_JOBS && !job; i++)
        if (w->jobs[i].state == JOB_FREE)
            job = &w->jobs[i];
    if (!job) {
        pthread_mutex_unlock(&w->mu);
        return -2;
    }
    *job = (struct web_job){ .state = JOB_QUEUED, .board = board, .act = act };
    snprintf(job->word, sizeof job->word, "%s", word);
    uint64_t one = 1;
    if (write(w->wake_fd, &one, sizeof one) < 0) {
        /* the counter is full: the loop is woken already */
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += WEB_ACTION_WAIT_MS / 1000;
    while (job->state != JOB_DONE && !w->stopping)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
            break;
    if (job->state != JOB_DONE) {
        /* a queued job is dropped; a running one frees itself when done */
        job->state = job->state == JOB_RUNNING ? JOB_ABANDONED : JOB_FREE;
        pthread_mutex_unlock(&w->mu);
        return -2;
    }
    int rc = job->rc;
    snprintf(reply, cap, "%s", job->reply);
    job->state = JOB_FREE;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static enum MHD_Result press(struct web *w, struct MHD_Connection *conn, unsigned board,
                             const char *path)
{
    /* path: "NAME" or "NAME/ARG" */
    char name[32], word[16] = "";
    size_t nlen = strcspn(path, "/");
    if (nlen == 0 || nlen >= sizeof name)
        return send_error(conn, MHD_HTTP_BAD_REQUEST, "bad action");
    memcpy(name, path, nlen);
    name[nlen] = 0;
    if (path[nlen] == '/') {
        const char *a = path + nlen + 1;
        if (strlen(a) >= sizeof word || strchr(a, '/'))
            return send_error(conn, MHD_HTTP_BAD_REQUEST, "bad action argument");
        snprintf(word, sizeof word, "%s", a);
    }
    const struct board_action *act = board_action_find(BOARD_ACTION_WEB, name, *word ? word : NULL);
    if (!act) {
        char list[256], msg[320];
        board_action_list(BOARD_ACTION_WEB, ", ", list, sizeof list);
        snprintf(msg, sizeof msg, "unknown action (the buttons: %s)", list);
        return send_error(conn, MHD_HTTP_BAD_REQUEST, msg);
    }
    char reply[1024];
    int rc = run_on_loop(w, board, act, word, reply, sizeof reply);
    if (rc == -2)
        return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the board loop did not answer");
    char body[1400], escaped[1100];
    size_t o = 0;
    for (const char *p = reply; *p && o + 7 < sizeof escaped; p++) {
        if (*p == '"' || *p == '\\') {
            escaped[o++] = '\\';
            escaped[o++] = *p;
        } else if ((unsigned char)*p < 0x20) {
            o += (size_t)snprintf(escaped + o, sizeof escaped - o, "\\u%04x", (unsigned char)*p);
        } else {
            escaped[o++] = *p;
        }
    }
    escaped[o] = 0;
    snprintf(body, sizeof body, rc == 0 ? "{\"ok\":true,\"describe\":\"%s\"}\n" : "{\"error\":\"%s\"}\n",
             escaped);
    return send_text(conn, rc == 0 ? MHD_HTTP_OK : MHD_HTTP_CONFLICT, "application/json", body);
}

void web_run_actions(struct web *w, web_action_fn fn, void *arg)
{
    uint64_t count;
    if (read(w->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
        return;
    for (unsigned i = 0; i < WEB_MAX_JOBS; i++) {
        pthread_mutex_lock(&w->mu);
        struct web_job *job = &w->jobs[i];
        if (job->state != JOB_QUEUED) {
            pthread_mutex_unlock(&w->mu);
            continue;
        }
        job->state = JOB_RUNNING;
        unsigned board = job->board;
        const struct board_action *act = job->act;
        char word[sizeof job->word], reply[sizeof job->reply];
        memcpy(word, job->word, sizeof word);
        pthread_mutex_unlock(&w->mu);

        int rc = fn(arg, board, act, *word ? word : NULL, reply, sizeof reply);

        pthread_mutex_lock(&w->mu);
        if (job->state == JOB_ABANDONED) {
            job->state = JOB_FREE;
        } else {
            job->rc = rc;
            memcpy(job->reply, reply, sizeof reply);
            job->state = JOB_DONE;
        }
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
}

/* ---- the request handler ---------------------------------------------------- */

/* On a loopback server, only a loopback Host: another name resolving to
 * 127.0.0.1 (DNS rebinding) does not get to read or press. */
static bool host_allowed(const struct web *w, struct MHD_Connection *conn)
{
    if (!w->loopback)
        return true;
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    if (!host)
        return true;                /* HTTP/1.0 without Host */
    return !strncmp(host, "127.", 4) || !strncmp(host, "localhost", 9) || !strncmp(host, "[::1]", 5);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    struct web *w = cls;
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    bool post = !strcmp(method, "POST");
    if (post && !*con_cls) {
        static int seen;
        *con_cls = &seen;           /* headers in; the body (ignored) follows */
        return MHD_YES;
    }
    if (post && *upload_data_size) {
        *upload_data_size = 0;      /* no button takes a body */
        return MHD_YES;
    }
    if (!host_allowed(w, conn))
        return send_error(conn, MHD_HTTP_FORBIDDEN, "Host is not a loopback name");
    const char *rest;
    int board;
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        if (!get)
            return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
        return send_text(conn, MHD_HTTP_OK, "text/html; charset=utf-8", web_page_html);
    }
    if (!strncmp(url, "/board/", 7)) {
        if ((board = parse_board(w, url + 7, &rest)) < 0 || *rest)
            return send_error(conn, MHD_HTTP_NOT_FOUND, "no such board");
        if (!get)
            return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
        return send_text(conn, MHD_HTTP_OK, "text/html; charset=utf-8", web_page_html);
    }
    if (!strcmp(url, "/live.js"))
        return get ? send_text(conn, MHD_HTTP_OK, "text/javascript; charset=utf-8", web_page_js)
                   : send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
    if (!strcmp(url, "/live.css"))
        return get ? send_text(conn, MHD_HTTP_OK, "text/css; charset=utf-8", web_page_css)
                   : send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
    if (!strcmp(url, "/api/boards"))
        return get ? send_published(w, conn, &w->index_json)
                   : send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
    if (!strcmp(url, "/api/dfu-table"))
        return get ? send_published(w, conn, &w->table_json)
                   : send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
    if (!strncmp(url, "/events/", 8)) {
        if ((board = parse_board(w, url + 8, &rest)) < 0 || *rest)
            return send_error(conn, MHD_HTTP_NOT_FOUND, "no such board");
        return get ? send_stream(w, conn, (unsigned)board)
                   : send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
    }
    if (!strncmp(url, "/api/board/", 11)) {
        if ((board = parse_board(w, url + 11, &rest)) < 0)
            return send_error(conn, MHD_HTTP_NOT_FOUND, "no such board");
        if (!*rest) {
            if (!get)
                return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
            /* the board as it is now: the loop publishes a snapshot first */
            char reply[64];
            if (run_on_loop(w, (unsigned)board, NULL, "", reply, sizeof reply) == -2)
                return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the board loop did not answer");
            return send_published(w, conn, &w->boards[board].json);
        }
        if (!strncmp(rest, "/action/", 8)) {
            if (!post)
                return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST a button");
            const char *mark = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Vstm32-Action");
            if (!mark || strcmp(mark, "1"))
                return send_error(conn, MHD_HTTP_FORBIDDEN, "a button press needs X-Vstm32-Action: 1");
            return press(w, conn, (unsigned)board, rest + 8);
        }
    }
    return send_error(conn, MHD_HTTP_NOT_FOUND, "no such page");
}

/* ---- life cycle ------------------------------------------------------------- */

static int check_spec(const char *spec, bool allow_remote, struct sockaddr_storage *ss,
                      bool *loopback, bool *v6, char *err, size_t errlen)
{
    socklen_t sslen;
    if (parse_spec(spec, ss, &sslen, loopback, v6, err, errlen) < 0)
        return -1;
    if (!*loopback && !allow_remote) {
        snprintf(err, errlen,
                 "--web %s: not a loopback address; the page has the board's buttons, so serving "
                 "it to other machines needs --web-remote as well",
                 spec);
        return -1;
    }
    return 0;
}

int web_check_spec(const char *spec, bool allow_remote, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    bool loopback, v6;
    return check_spec(spec, allow_remote, &ss, &loopback, &v6, err, errlen);
}

struct web *web_start(const char *spec, bool allow_remote, unsigned nboards, char *err,
                      size_t errlen)
{
    struct sockaddr_storage ss;
    bool loopback, v6;
    if (check_spec(spec, allow_remote, &ss, &loopback, &v6, err, errlen) < 0)
        return NULL;
    char why[256];
    if (web_mhd_load(why, sizeof why) < 0) {
        snprintf(err, errlen, "--web %s: %s", spec, why);
        return NULL;
    }
    struct web *w = calloc(1, sizeof *w);
    if (!w || !(w->boards = calloc(nboards ? nboards : 1, sizeof *w->boards))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->nboards = nboards;
    w->loopback = loopback;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | (v6 ? MHD_USE_IPv6 : 0);
    if (w->wake_fd >= 0)
        w->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR,
                                     (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
                                     (unsigned)(WEB_MAX_STREAMS + 16),
                                     /* a peer that sends nothing frees its thread (a
                                      * stream is never idle: keep-alives) */
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_IDLE_TIMEOUT_S,
                                     MHD_OPTION_END);
    if (!w->daemon) {
        snprintf(err, errlen, "--web %s: cannot listen there (%s)", spec,
                 w->wake_fd < 0 ? strerror(errno) : "in use, or not this machine's address");
        web_stop(w);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
    w->port = info ? info->port : 0;
    char host[INET6_ADDRSTRLEN] = "127.0.0.1";
    if (v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    snprintf(w->url, sizeof w->url, v6 ? "http://[%s]:%u/" : "http://%s:%u/", host, w->port);
    return w;
}

void web_stop(struct web *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->daemon)
        MHD_stop_daemon(w->daemon);     /* joins every connection's thread */
    for (unsigned i = 0; i < w->nboards; i++)
        free(w->boards[i].json);
    free(w->boards);
    free(w->index_json);
    free(w->table_json);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

uint16_t web_port(const struct web *w)
{
    return w->port;
}

const char *web_url(const struct web *w)
{
    return w->url;
}

bool web_has_streams(struct web *w)
{
    pthread_mutex_lock(&w->mu);
    bool any = w->nstreams > 0;
    pthread_mutex_unlock(&w->mu);
    return any;
}

int web_wake_fd(const struct web *w)
{
    return w->wake_fd;
}

static void publish(struct web *w, char **slot, uint64_t *gen, char *json)
{
    if (!json)
        return;
    pthread_mutex_lock(&w->mu);
    free(*slot);
    *slot = json;
    if (gen)
        (*gen)++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void web_publish(struct web *w, unsigned board, char *json)
{
    if (board >= w->nboards) {
        free(json);
        return;
    }
    publish(w, &w->boards[board].json, &w->boards[board].gen, json);
}

void web_publish_index(struct web *w, char *json)
{
    publish(w, &w->index_json, NULL, json);
}

void web_publish_table(struct web *w, char *json)
{
    publish(w, &w->table_json, NULL, json);
}
