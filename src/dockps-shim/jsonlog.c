/* Docker's json-file log: one {"log","stream","time"} object per line, rotated by size. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "shim.h"

/* Entries are only ever written whole, so a reader following the file never sees half of one:
 * the buffer holds at least one worst-case entry (every byte escaped as \u00XX). */
#define ENTRY_MAX (LOG_LINE_MAX * 6 + 128)
#define BUF_SIZE (ENTRY_MAX + 32 * 1024)

static struct {
    int fd;
    const char *path;
    long long max_size, size;
    int max_files;
    size_t len;
    char buf[BUF_SIZE];
} L; /* zero-initialized: 128 KiB of .bss costs nothing until used, unlike .data */

/* A line still waiting for its newline, per stream. */
static struct {
    size_t len;
    unsigned char data[LOG_LINE_MAX];
} pending[3];

static char ts[40]; /* the time of the read being logged */
static long long ts_second = -1;
static unsigned char plain[256];

int jsonlog_open(const char *path, long long max_size, int max_files)
{
    L.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (L.fd < 0)
        return -1;
    struct stat st;
    L.size = fstat(L.fd, &st) == 0 ? st.st_size : 0;
    L.path = path;
    L.max_size = max_size;
    L.max_files = max_files < 1 ? 1 : max_files;
    /* What may be copied as is; the rest is escaped as Go's encoding/json (HTML-safe) does. */
    for (int c = 0x20; c < 0x80; c++)
        plain[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
    return 0;
}

int jsonlog_dirty(void)
{
    return L.len > 0;
}

/* A full disk must not stop the container: what cannot be written is dropped. */
void jsonlog_flush(void)
{
    if (L.len > 0 && L.path)
        write_all(L.fd, L.buf, L.len);
    L.len = 0;
}

static void rotate(void)
{
    jsonlog_flush();
    if (L.max_files < 2) {
        if (ftruncate(L.fd, 0) == 0)
            L.size = 0;
        return;
    }
    char from[4200], to[4200];
    for (int i = L.max_files - 1; i > 1; i--) {
        snprintf(from, sizeof from, "%s.%d", L.path, i - 1);
        snprintf(to, sizeof to, "%s.%d", L.path, i);
        rename(from, to);
    }
    snprintf(to, sizeof to, "%s.1", L.path);
    rename(L.path, to);
    int fd = open(L.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    if (fd >= 0) {
        close(L.fd);
        L.fd = fd;
        L.size = 0;
    }
}

/* RFC 3339 with nine fractional digits, as Go's time.RFC3339Nano fixed-width layout. */
static void stamp(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != ts_second) {
        struct tm tm;
        gmtime_r(&now.tv_sec, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.", &tm);
        ts_second = now.tv_sec;
    }
    long ns = now.tv_nsec;
    for (int i = 28; i >= 20; i--, ns /= 10)
        ts[i] = (char)('0' + ns % 10);
    ts[29] = 'Z';
    ts[30] = 0;
}

/* Length of the valid UTF-8 sequence at s, 0 if it is not one (as Go's utf8.DecodeRune judges). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return len;
}

/* How many bytes from s need no escaping (ASCII, none below 0x20, none of " \\ < > &), checked
 * 16 or 8 at a time: plain text is most of any log and should cost little more than a copy. */
#ifdef __SSE2__
static size_t plain_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        /* A signed compare: below 0x20 and 0x80 and above (negative) in one go. */
        __m128i bad = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('>')));
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
        int mask = _mm_movemask_epi8(bad);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    while (i < n && plain[s[i]])
        i++;
    return i;
}
#else
static size_t plain_run(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
#define HAS_ZERO_BYTE(v) (((v) - ones) & ~(v) & high)
        if ((x & high) || ((x - ones * 0x20) & ~x & high) || HAS_ZERO_BYTE(x ^ (ones * '"')) ||
            HAS_ZERO_BYTE(x ^ (ones * '\\')) || HAS_ZERO_BYTE(x ^ (ones * '<')) ||
            HAS_ZERO_BYTE(x ^ (ones * '>')) || HAS_ZERO_BYTE(x ^ (ones * '&')))
            break;
#undef HAS_ZERO_BYTE
    }
    while (i < n && plain[s[i]])
        i++;
    return i;
}
#endif

static char *escape(char *d, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < n) {
        size_t run = plain_run(s + i, n - i);
        memcpy(d, s + i, run);
        d += run;
        i += run;
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            *d++ = '\\';
            switch (c) {
            case '"': *d++ = '"'; break;
            case '\\': *d++ = '\\'; break;
            case '\n': *d++ = 'n'; break;
            case '\r': *d++ = 'r'; break;
            case '\t': *d++ = 't'; break;
            default:
                memcpy(d, "u00", 3);
                d[3] = hex[c >> 4];
                d[4] = hex[c & 15];
                d += 5;
            }
            i++;
            continue;
        }
        size_t len = utf8_len(s + i, n - i);
        if (len == 0) {
            memcpy(d, "\\ufffd", 6);
            d += 6;
            i++;
        } else if (len == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
            /* U+2028 and U+2029 end lines in JavaScript; Go escapes them, so do we. */
            memcpy(d, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            d += 6;
            i += 3;
        } else {
            memcpy(d, s + i, len);
            d += len;
            i += len;
        }
    }
    return d;
}

static void entry(enum stream s, const unsigned char *data, size_t n)
{
    static const char head[] = "{\"log\":\"";
    static const char out_tail[] = "\",\"stream\":\"stdout\",\"time\":\"";
    static const char err_tail[] = "\",\"stream\":\"stderr\",\"time\":\"";
    if (L.max_size > 0 && L.size >= L.max_size)
        rotate();
    if (BUF_SIZE - L.len < n * 6 + 128)
        jsonlog_flush();
    char *start = L.buf + L.len, *d = start;
    memcpy(d, head, sizeof head - 1);
    d = escape(d + sizeof head - 1, data, n);
    memcpy(d, s == STREAM_STDERR ? err_tail : out_tail, sizeof out_tail - 1);
    d += sizeof out_tail - 1;
    memcpy(d, ts, 30);
    memcpy(d + 30, "\"}\n", 3);
    d += 33;
    L.len += (size_t)(d - start);
    L.size += d - start;
}

/* Lines are cut at '\n' and at 16 KiB (Docker's pieces); a line spanning reads is gathered in
 * pending so that a character split between two reads is escaped whole. */
void jsonlog_feed(enum stream s, const unsigned char *data, size_t n)
{
    if (!L.path)
        return;
    stamp();
    size_t pos = 0;
    while (pos < n) {
        size_t room = LOG_LINE_MAX - pending[s].len;
        size_t span = n - pos < room ? n - pos : room;
        const unsigned char *nl = memchr(data + pos, '\n', span);
        size_t take = nl ? (size_t)(nl - (data + pos)) + 1 : span;
        if (pending[s].len == 0 && (nl || take == LOG_LINE_MAX)) {
            entry(s, data + pos, take);
        } else {
            memcpy(pending[s].data + pending[s].len, data + pos, take);
            pending[s].len += take;
            if (nl || pending[s].len == LOG_LINE_MAX) {
                entry(s, pending[s].data, pending[s].len);
                pending[s].len = 0;
            }
        }
        pos += take;
    }
}

void jsonlog_eof(enum stream s)
{
    if (!L.path || pending[s].len == 0)
        return;
    stamp();
    entry(s, pending[s].data, pending[s].len);
    pending[s].len = 0;
}
