/* zxos 16550 driver (ring 3, polled). */
#include "zxos.h"

#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define DLL 0
#define DLM 1

static unsigned fifo_depth = 1;

void uart_init(void)
{
    outb(PORT_UART + IER, 0x00);        /* polled: no interrupts */
    outb(PORT_UART + LCR, 0x80);        /* DLAB */
    outb(PORT_UART + DLL, 0x01);        /* 115200 baud */
    outb(PORT_UART + DLM, 0x00);
    outb(PORT_UART + LCR, 0x03);        /* 8N1 */
    outb(PORT_UART + FCR, 0x07);        /* enable and clear FIFOs */
    outb(PORT_UART + MCR, 0x03);        /* DTR, RTS */
    if ((inb(PORT_UART + IIR) & 0xC0) == 0xC0)
        fifo_depth = 16;                /* THRE then means the whole transmit FIFO is empty */
}

void uart_write(const char *s, size_t n)
{
    while (n) {
        for (unsigned i = 0; i < 10000 && !(inb(PORT_UART + LSR) & 0x20); i++)
            cpu_relax();
        for (unsigned k = 0; k < fifo_depth && n; k++, n--)
            outb(PORT_UART + THR, (uint8_t)*s++);
    }
}

void uprintf(const char *f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    int n = vfmt(buf, sizeof buf, f, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    uart_write(buf, (size_t)n);
}
