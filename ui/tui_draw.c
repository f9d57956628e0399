/*
 * tui_draw: the few drawing primitives every screen uses: styles (colour, or
 * attributes alone under NO_COLOR: meaning never rests on colour, every
 * state is also spelled out), clipped and wrapped UTF-8 text, headings,
 * buttons, spinners.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/tui.h"

static attr_t styles[TUI_S_COUNT];

void
tui_err_text(int code, char *buf, size_t len)
{
	const char *detail = custos_err_detail();

	tui_fmt(buf, len, "%s", detail[0] != '\0' ? detail : custos_strerror(code));
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

void
tui_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void
tui_styles_init(struct tui *t)
{
	const char *no_color = getenv("NO_COLOR");
	size_t i;

	t->color = (no_color == NULL || no_color[0] == '\0') && has_colors();
	for (i = 0; i < TUI_S_COUNT; i++)
		styles[i] = A_NORMAL;
	styles[TUI_S_TITLE] = A_REVERSE | A_BOLD;
	styles[TUI_S_HEADING] = A_BOLD;
	styles[TUI_S_FIELD] = A_UNDERLINE;
	styles[TUI_S_FOCUS] = A_REVERSE;
	styles[TUI_S_ERROR] = A_BOLD;
	styles[TUI_S_OK] = A_BOLD;
	styles[TUI_S_WARN] = A_BOLD;
	styles[TUI_S_DIM] = A_DIM;
	styles[TUI_S_SECRET] = A_BOLD;
	styles[TUI_S_STATUS] = A_REVERSE;
	if (!t->color)
		return;
	start_color();
	(void)use_default_colors();
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_CYAN, -1);
	init_pair(3, COLOR_RED, -1);
	init_pair(4, COLOR_GREEN, -1);
	init_pair(5, COLOR_YELLOW, -1);
	init_pair(6, COLOR_BLACK, COLOR_WHITE);
	styles[TUI_S_TITLE] = COLOR_PAIR(1) | A_BOLD;
	styles[TUI_S_HEADING] = COLOR_PAIR(2) | A_BOLD;
	styles[TUI_S_ERROR] = COLOR_PAIR(3) | A_BOLD;
	styles[TUI_S_OK] = COLOR_PAIR(4) | A_BOLD;
	styles[TUI_S_WARN] = COLOR_PAIR(5) | A_BOLD;
	styles[TUI_S_QR] = COLOR_PAIR(6);
	styles[TUI_S_STATUS] = COLOR_PAIR(1);
}

attr_t
tui_style(const struct tui *t, enum tui_style s)
{
	(void)t;
	return s < TUI_S_COUNT ? styles[s] : A_NORMAL;
}

/* Bytes of text that fit in w columns; *cols gets the columns they take. */
static size_t
fit(const char *text, size_t len, int w, int *cols)
{
	mbstate_t ps;
	size_t used = 0, n;
	wchar_t wc;
	int cw;

	memset(&ps, 0, sizeof(ps));
	*cols = 0;
	while (used < len) {
		n = mbrtowc(&wc, text + used, len - used, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof(ps));
			n = 1;
			cw = 1;
		} else {
			if (n == 0)
				break;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (*cols + cw > w)
			break;
		*cols += cw;
		used += n;
	}
	return used;
}

int
tui_width(const char *text)
{
	int cols;

	(void)fit(text, strlen(text), 1 << 20, &cols);
	return cols;
}

int
tui_put(const struct tui *t, int y, int x, int w, enum tui_style s, const char *text)
{
	size_t n;
	int cols;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	n = fit(text, strlen(text), w, &cols);
	attrset(tui_style(t, s));
	mvaddnstr(y, x, text, (int)n);
	attrset(A_NORMAL);
	return cols;
}

int
tui_putf(const struct tui *t, int y, int x, enum tui_style s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(t, y, x, COLS - x, s, buf);
}

/*
 * Walks text as wrapped lines of at most w columns (breaking at spaces,
 * keeping '\n' as a hard break), calling emit for each; returns the count.
 */
static int
wrap_walk(const char *text, int w, int maxlines,
          void (*emit)(void *ctx, int line, const char *p, size_t n), void *ctx)
{
	const char *p = text;
	int lines = 0, cols;
	size_t n, cut, nl;

	if (w <= 0)
		return 0;
	while (*p != '\0' && lines < maxlines) {
		nl = strcspn(p, "\n");
		n = fit(p, nl, w, &cols);
		cut = n;
		if (n < nl) {
			/* Back up to the last space, unless the word is longer than the line. */
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = n;
		}
		if (emit != NULL)
			emit(ctx, lines, p, cut);
		lines++;
		p += cut;
		while (*p == ' ')
			p++;
		if (*p == '\n' && cut == nl)
			p++;
	}
	return lines;
}

struct wrap_ctx {
	const struct tui *t;
	int y, x, w;
	enum tui_style s;
};

static void
wrap_emit(void *ctx, int line, const char *p, size_t n)
{
	struct wrap_ctx *c = ctx;
	char buf[512];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	tui_put(c->t, c->y + line, c->x, c->w, c->s, buf);
}

int
tui_wrap(const struct tui *t, int y, int x, int w, int maxlines, enum tui_style s, const char *text)
{
	struct wrap_ctx c = {t, y, x, w, s};

	if (maxlines <= 0)
		return 0;
	return wrap_walk(text, w, maxlines, wrap_emit, &c);
}

int
tui_wrap_lines(const char *text, int w)
{
	return wrap_walk(text, w, 1 << 20, NULL, NULL);
}

int
tui_heading(const struct tui *t, int y, const char *text)
{
	tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, text);
	return y + 2;
}

int
tui_buttons(const struct tui *t, int y, int x, const char *const *labels, size_t n, size_t sel)
{
	char buf[96];
	size_t i;

	for (i = 0; i < n; i++) {
		tui_fmt(buf, sizeof(buf), "[ %s ]", labels[i]);
		x += tui_put(t, y, x, COLS - x, i == sel ? TUI_S_FOCUS : TUI_S_NORMAL, buf) + 3;
	}
	return y + 2;
}

const char *
tui_spinner(const struct tui *t)
{
	static const char *const fancy[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
	static const char *const plain[] = {"|", "/", "-", "\\"};

	if (t->utf8)
		return fancy[t->ticks % 10];
	return plain[t->ticks % 4];
}

const char *
tui_check(const struct tui *t)
{
	return t->utf8 ? "✓" : "ok";
}

const char *
tui_bullet(const struct tui *t)
{
	return t->utf8 ? "•" : "*";
}
