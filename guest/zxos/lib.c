/* zxos ring-3 helpers: memory, formatting, deadlines, power off. */
#include "zxos.h"

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* printf subset: %s %c %d %u %x %X %p %%, flags '0' and '-', width, length l/ll/z. */
int vfmt(char *buf, size_t size, const char *f, va_list ap)
{
    size_t o = 0;
#define PUT(ch) do { if (o + 1 < size) buf[o] = (ch); o++; } while (0)
    for (; *f; f++) {
        if (*f != '%') {
            PUT(*f);
            continue;
        }
        f++;
        int zero = 0, left = 0, width = 0, lng = 0;
        for (;; f++) {
            if (*f == '0')
                zero = 1;
            else if (*f == '-')
                left = 1;
            else
                break;
        }
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        while (*f == 'l' || *f == 'z') {
            lng = 1;
            f++;
        }
        char tmp[24];
        const char *s = tmp;
        size_t len = 0;
        int neg = 0;
        switch (*f) {
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            len = strlen(s);
            zero = 0;
            break;
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            len = 1;
            zero = 0;
            break;
        case 'd': case 'u': case 'x': case 'X': case 'p': {
            uint64_t v;
            unsigned base = (*f == 'd' || *f == 'u') ? 10 : 16;
            const char *digits = *f == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            if (*f == 'p')
                v = (uint64_t)(uintptr_t)va_arg(ap, void *);
            else if (*f == 'd') {
                int64_t sv = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
                neg = sv < 0;
                v = neg ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
            } else
                v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            char *e = tmp + sizeof tmp;
            do {
                *--e = digits[v % base];
                v /= base;
            } while (v);
            if (*f == 'p') {
                *--e = 'x';
                *--e = '0';
            }
            if (neg)
                *--e = '-';
            s = e;
            len = (size_t)(tmp + sizeof tmp - e);
            break;
        }
        case '%':
            tmp[0] = '%';
            len = 1;
            break;
        default:
            tmp[0] = '?';
            len = 1;
            break;
        }
        if (!*f)
            break;
        size_t pad = (size_t)width > len ? (size_t)width - len : 0;
        if (neg && zero) {
            PUT('-');
            s++;
            len--;
        }
        if (!left)
            while (pad--)
                PUT(zero ? '0' : ' ');
        while (len--)
            PUT(*s++);
        if (left)
            while (pad--)
                PUT(' ');
    }
    if (size)
        buf[o < size ? o : size - 1] = 0;
#undef PUT
    return (int)o;
}

int fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vfmt(buf, size, f, ap);
    va_end(ap);
    return n;
}

void deadline_start(struct deadline *d, uint32_t ticks)
{
    d->t0 = zx_ticks;
    d->w0 = zx_wd_ticks;
    d->ticks = ticks;
}

int deadline_expired(const struct deadline *d)
{
    if (zx_ticks - d->t0 >= d->ticks)
        return 1;
    /* Watchdog: 100 ms periods; generous slack so it only matters when the timer is dead. */
    return zx_wd_ticks - d->w0 >= d->ticks / 10 + 3;
}

void zx_poweroff(int code)
{
    outb(PORT_POWEROFF, (uint8_t)code);
    for (;;) {
        uint32_t seen = zx_irq_count;
        sys_wait(&zx_irq_count, seen);
    }
}
