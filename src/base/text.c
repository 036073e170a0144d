/* text: UTF-8 and LSP position encodings, normalisation via utf8proc. */
#include "kairos/text.h"
#include "kairos/err.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *const enc_names[] = {"utf-8", "utf-16", "utf-32"};

const char *text_enc_name(enum text_enc e)
{
	return (unsigned)e < ARRAY_LEN(enc_names) ? enc_names[e] : "utf-16";
}

int text_enc_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(enc_names); i++)
		if (!strcmp(name, enc_names[i]))
			return (int)i;
	return -1;
}

size_t text_utf8_seqlen(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

bool text_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		size_t l = text_utf8_seqlen(s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* Code units of the character at s (a sequence of l bytes) in enc. */
static uint32_t units(size_t l, enum text_enc enc)
{
	switch (enc) {
	case TEXT_UTF8:
		return (uint32_t)(l ? l : 1);
	case TEXT_UTF16:
		return l == 4 ? 2 : 1;
	default:
		return 1;
	}
}

size_t text_col_to_byte(const char *line, size_t len, uint32_t col, enum text_enc enc)
{
	size_t i = 0;
	uint32_t c = 0;

	if (enc == TEXT_UTF8) {
		/* clamp to len, then back off to the start of a character */
		i = col < len ? col : len;
		if (i < len && ((unsigned char)line[i] & 0xC0) == 0x80) {
			for (size_t k = i; k > 0 && i - k < 3;) {
				k--;
				size_t l = text_utf8_seqlen(line + k, len - k);
				if (l && k + l > i)
					return k;
				if (((unsigned char)line[k] & 0xC0) != 0x80)
					break;
			}
		}
		return i;
	}
	while (i < len && c < col) {
		size_t l = (unsigned char)line[i] < 0x80 ? 1 : text_utf8_seqlen(line + i, len - i);
		uint32_t u = units(l, enc);
		if (c + u > col)
			break; /* col falls inside this character */
		c += u;
		i += l ? l : 1;
	}
	return i;
}

uint32_t text_byte_to_col(const char *line, size_t len, size_t off, enum text_enc enc)
{
	size_t i = 0;
	uint32_t c = 0;

	if (off > len)
		off = len;
	if (enc == TEXT_UTF8)
		return (uint32_t)off;
	while (i < off) {
		size_t l = (unsigned char)line[i] < 0x80 ? 1 : text_utf8_seqlen(line + i, len - i);
		if (i + (l ? l : 1) > off)
			break;
		c += units(l, enc);
		i += l ? l : 1;
	}
	return c;
}

int text_normalize(const char *s, size_t n, struct buf *out)
{
	utf8proc_uint8_t *norm = NULL;
	/* a bad byte becomes U+FFFD, three bytes */
	struct buf clean = BUF_INIT_CAP(3 * n + 64);
	utf8proc_ssize_t r;
	int rc = 0;
	bool space = false, any = false;

	/* replace invalid sequences first: utf8proc rejects the whole text */
	for (size_t i = 0; i < n && !rc;) {
		size_t l = text_utf8_seqlen(s + i, n - i);
		if (!l) {
			rc = buf_puts(&clean, "\xEF\xBF\xBD");
			i++;
		} else {
			rc = buf_append(&clean, s + i, l);
			i += l;
		}
	}
	if (rc)
		goto out;
	r = utf8proc_map((const utf8proc_uint8_t *)buf_cstr(&clean), (utf8proc_ssize_t)clean.len,
			 &norm,
			 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
	if (r < 0) {
		rc = kr_err("unicode normalisation failed: %s", utf8proc_errmsg(r));
		goto out;
	}
	for (utf8proc_ssize_t i = 0; i < r && !rc; i++) {
		unsigned char c = norm[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = true;
			continue;
		}
		if (space && any)
			rc = buf_putc(out, ' ');
		space = false;
		any = true;
		if (!rc)
			rc = buf_putc(out, (char)c);
	}
out:
	free(norm);
	buf_dispose(&clean);
	return rc;
}
