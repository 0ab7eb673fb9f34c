/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view (issue 18 part 3): `vstm32 serve --web` as an HTTP peer
 * sees it, with no browser (the JSON snapshot, the server-sent events, the
 * buttons, what a bad path or a bad action gets), and then in a real
 * browser: Debian's chromium, headless, driven by chromium-driver through
 * python3-selenium (host-tests/tools/py/live_view_browser.py) while the
 * real dfu-util flashes the board and the page's Reset re-enumerates it.
 *
 * Board 0 is an F407 made by `vstm32 new --ob nWRP=0xFFE`: sector 0
 * write-protected (RM0090 3.9.9: nWRP bit i = 0 protects sector i), so
 * the flash map has one protected sector to show.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/stlink_fixture.h"


#define BROWSER_TIMEOUT_S 240
#define HTTP_WAIT_MS 10000          /* any one HTTP exchange */
#define MAX_EVENTS 20               /* snapshots read while waiting for one to show something (one a second at least) */
#define LIVE_VIEW_BROWSER "host-tests/tools/py/live_view_browser.py"

static pid_t serve_pid;
static char *tmpdir;
static unsigned usbip_port, web_port;

static void start_serve(void)
{
    tmpdir = proc_mkdtemp("web");
    cr_assert_not_null(tmpdir);
    char state[700], log[700], why[256];
    snprintf(state, sizeof state, "%s/f407", tmpdir);
    snprintf(log, sizeof log, "%s/serve.log", tmpdir);
    struct proc_result r = proc_run((char *[]){ (char *)proc_vstm32(), "new", "f407xg", state,
                                                "--ob", "nWRP=0xFFE", NULL },
                                    NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    char *args[] = { "--board", "f407xg:dfu", "--state", state, "--web", "127.0.0.1:0", NULL };
    serve_pid = proc_serve_start_web(args, log, &usbip_port, &web_port, why, sizeof why);
    cr_assert_gt(serve_pid, 0, "%s", why);
}

static void stop_serve(void)
{
    proc_serve_stop(serve_pid);
    proc_rmtree(tmpdir);
    free(tmpdir);
}

TestSuite(web, .init = start_serve, .fini = stop_serve, .timeout = 300);

/* ---- a small HTTP/1.0 client ------------------------------------------------ */

struct http_reply {
    int code;
    char head[2048];
    char *body;                     /* malloc'd, NUL-terminated */
};

static int http_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)web_port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_geq(fd, 0);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s", strerror(errno));
    return fd;
}

static void http_send(int fd, const char *method, const char *path, const char *extra)
{
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%u\r\n%s\r\n", method,
                     path, web_port, extra ? extra : "");
    cr_assert_eq(write(fd, req, (size_t)n), n);
}

/* Appends what fd has within HTTP_WAIT_MS; 0 at EOF, -1 on time-out. */
static int read_some(int fd, char **buf, size_t *len, size_t *cap)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, HTTP_WAIT_MS) <= 0)
        return -1;
    if (*cap - *len < 4097) {
        *cap = *cap * 2 + 8192;
        *buf = realloc(*buf, *cap);
        cr_assert_not_null(*buf);
    }
    ssize_t n = read(fd, *buf + *len, 4096);
    if (n <= 0)
        return 0;
    *len += (size_t)n;
    (*buf)[*len] = 0;
    return 1;
}

static struct http_reply http(const char *method, const char *path, const char *extra)
{
    int fd = http_connect();
    http_send(fd, method, path, extra);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = read_some(fd, &buf, &len, &cap)) > 0)
        ;
    close(fd);
    cr_assert_eq(rc, 0, "%s %s: no end of reply in %d ms", method, path, HTTP_WAIT_MS);
    struct http_reply r = { 0 };
    cr_assert_not_null(buf, "%s %s: empty reply", method, path);
    cr_assert_eq(sscanf(buf, "HTTP/1.%*d %d", &r.code), 1, "%s", buf);
    char *body = strstr(buf, "\r\n\r\n");
    cr_assert_not_null(body, "%s", buf);
    snprintf(r.head, sizeof r.head, "%.*s", (int)(body - buf), buf);
    r.body = strdup(body + 4);
    free(buf);
    return r;
}

static json_t *json_of(const struct http_reply *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    cr_assert_not_null(j, "not JSON (%s): %.300s", e.text, r->body);
    return j;
}

static json_t *get_json(const char *path, int want_code)
{
    struct http_reply r = http("GET", path, NULL);
    cr_assert_eq(r.code, want_code, "GET %s: %d %s", path, r.code, r.body);
    cr_assert_not_null(strstr(r.head, "Content-Type: application/json"), "%s", r.head);
    json_t *j = json_of(&r);
    free(r.body);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    cr_assert_not_null(s, "no string %s", key);
    return s;
}

/* ---- JSON snapshot, index, table, page ----------------------------------------- */

Test(web, snapshot_shows_flash_map_option_bytes_rdp_and_dfu_state)
{
    json_t *s = get_json("/api/board/0", 200);
    cr_expect_str_eq(jstr(s, "part"), "f407xg");
    cr_expect_eq(json_integer_value(json_object_get(s, "rdp_level")), 0);
    json_t *flash = json_object_get(s, "flash");
    cr_expect_str_eq(jstr(flash, "unit"), "sector");
    cr_expect_eq(json_array_size(json_object_get(flash, "units")), 12, "RM0090 table 5: 12 sectors");
    cr_expect_str_eq(jstr(flash, "state"), "eeeeeeeeeeee");
    /* nWRP=0xFFE: sector 0 alone is write-protected */
    cr_expect_str_eq(jstr(flash, "wrp"), "100000000000");
    json_t *ob = json_array_get(json_object_get(s, "optbytes"), 0);
    cr_expect_str_eq(jstr(ob, "name"), "OPTCR");
    json_t *field;
    size_t i;
    long nwrp = -1;
    json_array_foreach(json_object_get(ob, "fields"), i, field)
        if (!strcmp(jstr(field, "name"), "nWRP"))
            nwrp = (long)json_integer_value(json_object_get(field, "value"));
    cr_expect_eq(nwrp, 0xFFE);
    json_t *dfu = json_object_get(s, "dfu");
    cr_expect(json_is_true(json_object_get(dfu, "present")));
    cr_expect_str_eq(jstr(dfu, "busid"), "1-1");
    cr_expect_geq(json_integer_value(json_object_get(s, "enumerations")), 1);
    json_decref(s);
}

Test(web, index_table_and_page_files)
{
    json_t *boards = get_json("/api/boards", 200);
    cr_expect_eq(json_array_size(boards), 1);
    cr_expect_str_eq(jstr(json_array_get(boards, 0), "part"), "f407xg");
    json_decref(boards);

    /* the diagram's edges come from the device's state table (dfuse_fsm.c) */
    json_t *t = get_json("/api/dfu-table", 200);
    json_t *states = json_object_get(t, "states");
    cr_expect_eq(json_array_size(states), 11, "DFU 1.1 table 6.2: 11 states");
    cr_expect_str_eq(json_string_value(json_array_get(states, 2)), "dfuIDLE");
    bool idle_to_sync = false;
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(t, "edges"), i, e)
        idle_to_sync |= json_integer_value(json_object_get(e, "from")) == 2 &&
                        json_integer_value(json_object_get(e, "to")) == 3 &&
                        !strcmp(jstr(e, "request"), "DFU_DNLOAD");
    cr_expect(idle_to_sync, "DFU 1.1 A.2.3: dfuIDLE --DFU_DNLOAD--> dfuDNLOAD-SYNC");
    json_decref(t);

    struct http_reply r = http("GET", "/", NULL);
    cr_expect_eq(r.code, 200);
    cr_expect_not_null(strstr(r.head, "Content-Security-Policy: default-src 'self'"), "%s", r.head);
    cr_expect_not_null(strstr(r.body, "<script src=\"/live.js\""), "%s", r.body);
    free(r.body);
    r = http("GET", "/board/0", NULL);
    cr_expect_eq(r.code, 200);
    cr_expect_not_null(strstr(r.body, "id=\"flash-map\""));
    free(r.body);
    r = http("GET", "/live.js", NULL);
    cr_expect_eq(r.code, 200);
    cr_expect_not_null(strstr(r.head, "Content-Type: text/javascript"), "%s", r.head);
    cr_expect_not_null(strstr(r.body, "new EventSource('/events/' + board)"));
    free(r.body);
}

/* ---- what bad input gets --------------------------------------------------------- */

Test(web, bad_paths_are_404)
{
    const char *paths[] = { "/api/board/1", "/api/board/00001x", "/api/board/-1", "/api/board/",
                            "/api/board/99999999999", "/board/1", "/board/0/", "/events/1",
                            "/events/0x0", "/../../etc/passwd", "/api/board/0/flash", "/nope",
                            "/live.js/", "/api/boards/0", "/api/board/0/action" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        json_t *j = get_json(paths[i], 404);
        cr_expect_not_null(json_object_get(j, "error"), "%s", paths[i]);
        json_decref(j);
    }
}

Test(web, bad_actions_are_400_wrong_methods_405_and_a_press_needs_its_header)
{
    const char *mark = "X-Vstm32-Action: 1\r\n";
    struct http_reply r = http("POST", "/api/board/0/action/explode", mark);
    cr_expect_eq(r.code, 400, "%s", r.body);
    cr_expect_not_null(strstr(r.body, "unknown action (the buttons: boot0 0|1, reset, power-cycle, "
                                      "unplug, plug)"), "%s", r.body);
    free(r.body);
    /* a word outside boot0's choices; a ctl-only action; a stray part */
    const char *bad[] = { "/api/board/0/action/boot0/2", "/api/board/0/action/boot0",
                          "/api/board/0/action/state/save", "/api/board/0/action/fault/clear",
                          "/api/board/0/action/reset/now/please", "/api/board/0/action/" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = http("POST", bad[i], mark);
        cr_expect_eq(r.code, 400, "%s: %d %s", bad[i], r.code, r.body);
        free(r.body);
    }
    r = http("POST", "/api/board/3/action/reset", mark);
    cr_expect_eq(r.code, 404, "%s", r.body);
    free(r.body);
    r = http("POST", "/api/board/0/action/reset", NULL);
    cr_expect_eq(r.code, 403, "a page from elsewhere cannot press: %s", r.body);
    free(r.body);
    r = http("GET", "/api/board/0/action/reset", NULL);
    cr_expect_eq(r.code, 405, "%s", r.body);
    free(r.body);
    r = http("POST", "/api/board/0", mark);
    cr_expect_eq(r.code, 405, "%s", r.body);
    free(r.body);
    /* a Host that is not a loopback name (DNS rebinding) reads nothing */
    int fd = http_connect();
    const char *req = "GET /api/board/0 HTTP/1.0\r\nHost: evil.example:80\r\n\r\n";
    cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    char buf[256] = "";
    struct pollfd p = { .fd = fd, .events = POLLIN };
    cr_assert_gt(poll(&p, 1, HTTP_WAIT_MS), 0);
    cr_assert_gt(read(fd, buf, sizeof buf - 1), 0);
    close(fd);
    cr_expect_eq(strncmp(buf, "HTTP/1.0 403", 12) && strncmp(buf, "HTTP/1.1 403", 12), 0, "%s", buf);
}

/* ---- the event stream, a press, a download ------------------------------------------ */

struct stream {
    int fd;
    char *buf;
    size_t len, cap, used;
};

static struct stream stream_open(unsigned board)
{
    char path[32];
    snprintf(path, sizeof path, "/events/%u", board);
    struct stream st = { .fd = http_connect() };
    http_send(st.fd, "GET", path, NULL);
    return st;
}

/* The next "event: snapshot" of the stream, parsed. */
static json_t *stream_next(struct stream *st)
{
    for (unsigned rounds = 0; rounds < MAX_EVENTS; rounds++) {
        char *at = st->buf ? strstr(st->buf + st->used, "event: snapshot\ndata: ") : NULL;
        char *end = at ? strstr(at, "\n\n") : NULL;
        if (end) {
            *end = 0;
            st->used = (size_t)(end + 2 - st->buf);
            json_error_t e;
            json_t *j = json_loads(at + strlen("event: snapshot\ndata: "), 0, &e);
            cr_assert_not_null(j, "event data not JSON: %s", e.text);
            return j;
        }
        cr_assert_eq(read_some(st->fd, &st->buf, &st->len, &st->cap), 1,
                     "the event stream ended or went quiet");
    }
    cr_assert_fail("no snapshot event in %d reads", MAX_EVENTS);
    return NULL;
}

static void stream_close(struct stream *st)
{
    close(st->fd);
    free(st->buf);
}

static bool requests_mention(json_t *snap, const char *text)
{
    json_t *r;
    size_t i;
    json_array_foreach(json_object_get(snap, "requests"), i, r)
        if (strstr(jstr(r, "request"), text))
            return true;
    return false;
}

Test(web, event_stream_carries_snapshots_and_reset_re_enumerates)
{
    struct stream st = stream_open(0);
    struct http_reply r = { 0 };
    json_t *s = stream_next(&st);
    cr_assert_not_null(strstr(st.buf, "Content-Type: text/event-stream"), "%.300s", st.buf);
    long enum0 = (long)json_integer_value(json_object_get(s, "enumerations"));
    json_decref(s);

    r = http("POST", "/api/board/0/action/reset", "X-Vstm32-Action: 1\r\n");
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_expect_not_null(strstr(r.body, "\"describe\":\"board 0 f407xg"), "%s", r.body);
    free(r.body);
    /* the stream shows the press and the DFU device's new arrival */
    bool seen = false;
    for (unsigned n = 0; n < MAX_EVENTS && !seen; n++) {
        s = stream_next(&st);
        seen = json_integer_value(json_object_get(s, "enumerations")) > enum0 &&
               requests_mention(s, "button: reset") &&
               requests_mention(s, "bus: 0483:df11 enumerated as 1-1");
        json_decref(s);
    }
    stream_close(&st);
    cr_expect(seen, "no snapshot showed the reset and the re-enumeration");
}

Test(web, dfu_util_download_shows_in_the_snapshot)
{
    char image[700], server[32];
    snprintf(image, sizeof image, "%s/img.bin", tmpdir);
    static unsigned char img[16000];    /* within sector 1 (16 KiB) */
    proc_fill_random(img, sizeof img, 18);
    cr_assert_eq(proc_write_file(image, img, sizeof img), 0);
    snprintf(server, sizeof server, "127.0.0.1:%u", usbip_port);
    /* sector 1 (0x08004000): sector 0 is write-protected */
    struct proc_result r = proc_run(
        (char *[]){ (char *)proc_vstm32(), "run", "--connect", server, "--", "dfu-util", "-a", "0",
                    "-s", "0x08004000", "-D", image, NULL },
        NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_assert_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);

    /* the snapshot after the run (the stream's last one may be older) */
    struct stream st = stream_open(0);
    json_t *s = NULL;
    bool shown = false;
    for (unsigned n = 0; n < MAX_EVENTS && !shown; n++) {
        json_decref(s);
        s = stream_next(&st);
        shown = !strcmp(jstr(json_object_get(s, "flash"), "state"), "eweeeeeeeeee");
    }
    stream_close(&st);
    cr_assert(shown, "flash state %s", jstr(json_object_get(s, "flash"), "state"));
    cr_expect(requests_mention(s, "DFU_DNLOAD block 2"), "the decoded WRITE block");
    /* DFU 1.1 A.2.3-A.2.5: the download's transitions */
    bool sync_busy = false, busy_idle = false;
    json_t *t;
    size_t i;
    json_array_foreach(json_object_get(s, "transitions"), i, t) {
        long from = (long)json_integer_value(json_object_get(t, "from"));
        long to = (long)json_integer_value(json_object_get(t, "to"));
        sync_busy |= from == 3 && to == 4;
        busy_idle |= from == 4 && to == 5;
    }
    cr_expect(sync_busy && busy_idle, "dfuDNLOAD-SYNC -> dfuDNBUSY -> dfuDNLOAD-IDLE not listed");
    json_decref(s);
}

/* ---- options ------------------------------------------------------------------------ */

Test(web, a_non_loopback_address_needs_web_remote)
{
    struct proc_result r = proc_run((char *[]){ (char *)proc_vstm32(), "serve", "--board",
                                                "f407xg:dfu", "--port", "0", "--web", "0.0.0.0:0",
                                                NULL },
                                    NULL, TOOL_TIMEOUT_S);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "vstm32: --web 0.0.0.0:0: not a loopback address; the page "
                                        "has the board's buttons, so serving it to other machines "
                                        "needs --web-remote as well\n"),
                       "%s", r.output);
    proc_result_free(&r);
    r = proc_run((char *[]){ (char *)proc_vstm32(), "serve", "--board", "f407xg:dfu", "--web",
                             "8080", NULL },
                 NULL, TOOL_TIMEOUT_S);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "vstm32: --web 8080: not ADDR:PORT (e.g. 127.0.0.1:8080)\n"),
                       "%s", r.output);
    proc_result_free(&r);
}

/* `run --web`: the page lives while CMD runs, and CMD finds it in
 * VSTM32_WEB; what CMD's dfu-util wrote is in the JSON CMD reads next. */
Test(web, run_web_gives_cmd_the_page_and_its_json)
{
    const char *script =
        "dfu-util -a 0 -s 0x08000000 -D \"$1\" > /dev/null 2>&1 && "
        "/usr/bin/python3 -c 'import json, os, urllib.request as u; "
        "b = json.load(u.urlopen(os.environ[\"VSTM32_WEB\"] + \"api/board/0\")); "
        "print(\"flash\", b[\"flash\"][\"state\"], b[\"dfu\"][\"state_name\"])'";
    struct proc_result r = proc_run_split(
        NULL,
        (char *[]){ (char *)proc_vstm32(), "run", "--board", "f407xg:dfu", "--web", "127.0.0.1:0",
                    "--", "sh", "-c", (char *)script, "sh",
                    (char *)firmware_path("f407xg", "hello.bin"), NULL },
        NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_str_eq(r.output, "flash weeeeeeeeeee dfuIDLE\n");
    cr_expect_not_null(strstr(r.errout, "vstm32: live view at http://127.0.0.1:"), "%s", r.errout);
    proc_result_free(&r);
}

/* ---- in a real browser ------------------------------------------------------------------ */

Test(web, browser_shows_a_dfu_util_download_and_a_reset, .timeout = BROWSER_TIMEOUT_S + 30)
{
    char shot[700];
    snprintf(shot, sizeof shot, "%s/live-view-test.png", tmpdir);
    struct proc_result r = proc_run(
        (char *[]){ "/usr/bin/python3", LIVE_VIEW_BROWSER, (char *)proc_vstm32(),
                    (char *)firmware_path("f407xg", "hello.bin"), "--screenshot", shot, NULL },
        NULL, BROWSER_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "ok: index lists board 0: f407xg, its link opens /board/0\n"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "ok: page loaded: 12 flash units, none written, DFU state "),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "ok: after dfu-util -D (580 bytes): 1 of 12 flash units written"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "ok: Reset re-enumerated the board (enumerations 1 -> 2); "
                                        "dfu-util -l finds 0483:df11 again"),
                       "%s", r.output);
    size_t len = 0;
    unsigned char *png = proc_read_file(shot, &len);
    cr_expect(png && len > 8 && !memcmp(png, "\x89PNG", 4), "no PNG screenshot at %s", shot);
    free(png);
    proc_result_free(&r);
}
