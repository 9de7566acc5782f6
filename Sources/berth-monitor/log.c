#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Entries are built here and written when it fills; one entry may take several writes
 * (readers of a growing log must wait for the newline anyway). */
#define LOG_BUF_SIZE (32 * 1024)
#define LOG_ROOM 64 /* the most one byte (or a suffix) can add before the next flush check */

int log_open(struct logw *lw, const char *path) {
    memset(lw, 0, sizeof *lw);
    lw->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (lw->fd < 0) return -1;
    lw->buf = malloc(LOG_BUF_SIZE);
    return lw->buf ? 0 : -1;
}

static void flush(struct logw *lw) {
    size_t off = 0;
    while (off < lw->len) {
        ssize_t n = write(lw->fd, lw->buf + off, lw->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* ENOSPC and the like: the entry is lost, the container runs on */
        off += (size_t)n;
    }
    lw->len = 0;
}

static void put(struct logw *lw, const char *s, size_t n) {
    if (lw->len + n > LOG_BUF_SIZE) flush(lw);
    memcpy(lw->buf + lw->len, s, n);
    lw->len += n;
}

static void put_replacement(struct logw *lw, int count) {
    while (count-- > 0) put(lw, "\\ufffd", 6);
}

/* Whether b may follow the bytes in st (RFC 3629: no overlongs, surrogates, > U+10FFFF). */
static int continues(const struct utf8_state *st, uint8_t b) {
    if (b < 0x80 || b > 0xbf) return 0;
    if (st->have != 1) return 1;
    switch (st->seq[0]) {
    case 0xe0: return b >= 0xa0;
    case 0xed: return b <= 0x9f;
    case 0xf0: return b >= 0x90;
    case 0xf4: return b <= 0x8f;
    default: return 1;
    }
}

/* Escapes one byte as JSON wants it; a multi-byte sequence is written when complete, and
 * every byte of an invalid one becomes U+FFFD (as Go's encoder, which Docker uses, does). */
static void put_byte(struct logw *lw, struct utf8_state *st, uint8_t b) {
    if (lw->len + LOG_ROOM > LOG_BUF_SIZE) flush(lw);
    if (st->have) {
        if (continues(st, b)) {
            st->seq[st->have++] = b;
            if (st->have == st->need + 1) {
                put(lw, (const char *)st->seq, st->have);
                st->have = 0;
            }
            return;
        }
        put_replacement(lw, st->have);
        st->have = 0;
    }
    if (b >= 0x80) {
        st->need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
        if (!st->need) {
            put_replacement(lw, 1);
            return;
        }
        st->seq[0] = b;
        st->have = 1;
        return;
    }
    char esc[8];
    switch (b) {
    case '"': put(lw, "\\\"", 2); return;
    case '\\': put(lw, "\\\\", 2); return;
    case '\n': put(lw, "\\n", 2); return;
    case '\r': put(lw, "\\r", 2); return;
    case '\t': put(lw, "\\t", 2); return;
    }
    if (b < 0x20) {
        snprintf(esc, sizeof esc, "\\u%04x", b);
        put(lw, esc, 6);
        return;
    }
    lw->buf[lw->len++] = (char)b;
}

/* RFC 3339 with nanoseconds, UTC: 2026-11-23T12:00:00.123456789Z */
static size_t timestamp(char *out, size_t len) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
    return n < 0 ? 0 : (size_t)n;
}

static void entry(struct logw *lw, int stream, const uint8_t *s, size_t n, const char *suffix, size_t slen) {
    static const char prefix[] = "{\"log\":\"";
    struct utf8_state *st = &lw->st[stream];
    if (lw->len + LOG_ROOM + sizeof prefix > LOG_BUF_SIZE) flush(lw);
    size_t mark = lw->len;
    put(lw, prefix, sizeof prefix - 1);
    size_t start = lw->len;
    int flushed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t before = lw->len;
        put_byte(lw, st, s[i]);
        if (lw->len < before) flushed = 1;
    }
    /* a segment that only held back part of a UTF-8 sequence makes no empty entry */
    if (!flushed && lw->len == start) {
        lw->len = mark;
        return;
    }
    put(lw, suffix, slen);
}

void log_write(struct logw *lw, int stream, const uint8_t *data, size_t n) {
    if (lw->fd < 0 || n == 0) return;
    char ts[48];
    char suffix[128];
    size_t tlen = timestamp(ts, sizeof ts);
    int slen = snprintf(suffix, sizeof suffix, "\",\"stream\":\"%s\",\"time\":\"%.*s\"}\n",
                        stream == 2 ? "stderr" : "stdout", (int)tlen, ts);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (data[i] != '\n') continue;
        entry(lw, stream, data + start, i + 1 - start, suffix, (size_t)slen);
        start = i + 1;
    }
    if (start < n) entry(lw, stream, data + start, n - start, suffix, (size_t)slen);
    flush(lw);
}

void log_end_stream(struct logw *lw, int stream) {
    struct utf8_state *st = &lw->st[stream];
    if (lw->fd < 0 || !st->have) return;
    char ts[48];
    size_t tlen = timestamp(ts, sizeof ts);
    put(lw, "{\"log\":\"", 8);
    put_replacement(lw, st->have);
    st->have = 0;
    char suffix[128];
    int slen = snprintf(suffix, sizeof suffix, "\",\"stream\":\"%s\",\"time\":\"%.*s\"}\n",
                        stream == 2 ? "stderr" : "stdout", (int)tlen, ts);
    put(lw, suffix, (size_t)slen);
    flush(lw);
}

void log_close(struct logw *lw) {
    if (lw->fd >= 0) {
        flush(lw);
        close(lw->fd);
    }
    lw->fd = -1;
    free(lw->buf);
    lw->buf = NULL;
}
