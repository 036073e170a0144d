/* gitindex: a reader for the git index file format (DIRC v2-v4). */
#include "kairos/gitindex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/fsx.h"

#define INDEX_MAX (256u << 20)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void gitindex_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int gitindex_list(const char *workspace, char ***out, size_t *n)
{
	struct buf b = BUF_INIT_CAP(INDEX_MAX + 1), path = BUF_INIT_CAP(BUF_CAP_LINE);
	struct buf prev = BUF_INIT_CAP(BUF_CAP_LINE); /* the entry's path */
	const unsigned char *p, *end;
	char **v = NULL;
	size_t nv = 0;
	uint32_t ver, count;
	int rc;

	*out = NULL;
	*n = 0;
	buf_printf(&path, "%s/.git/index", workspace);
	if ((rc = buf_err(&path)) || (rc = fsx_read(path.data, INDEX_MAX, &b)))
		goto out;
	p = (const unsigned char *)b.data;
	end = p + b.len;
	if (b.len < 12 + 20 || memcmp(p, "DIRC", STRLEN_LIT("DIRC"))) {
		rc = kr_errc(KR_EINVAL, "%s: not a git index", path.data);
		goto out;
	}
	ver = be32(p + 4);
	count = be32(p + 8);
	if (ver < 2 || ver > 4) {
		rc = kr_errc(KR_EINVAL, "%s: index version %u not supported", path.data, ver);
		goto out;
	}
	p += 12;
	end -= 20; /* trailing checksum */
	v = count ? calloc(count, sizeof(char *)) : NULL;
	if (count && !v) {
		rc = kr_errc(KR_ENOMEM, "out of memory reading the git index");
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = p, *name;
		uint32_t mode;
		unsigned flags, stage;
		size_t hdr = 62, nl;

		if (end - p < 62)
			goto bad;
		mode = be32(p + 24);
		flags = (unsigned)p[60] << 8 | p[61];
		stage = flags >> 12 & 3;
		if (ver >= 3 && (flags & 0x4000))
			hdr += 2;
		if ((size_t)(end - p) < hdr + 1)
			goto bad;
		name = p + hdr;
		if (ver == 4) {
			size_t strip = 0;
			unsigned char c = *name++;

			strip = c & 127;
			while (c & 128) {
				if (name >= end)
					goto bad;
				c = *name++;
				strip = ((strip + 1) << 7) | (c & 127);
			}
			if (strip > prev.len)
				goto bad;
			buf_truncate(&prev, prev.len - strip);
		} else {
			buf_truncate(&prev, 0);
		}
		nl = strnlen((const char *)name, (size_t)(end - name));
		if (name + nl >= end)
			goto bad;
		buf_append(&prev, name, nl);
		if ((rc = buf_err(&prev)))
			goto out;
		if (ver == 4)
			p = name + nl + 1;
		else
			p = e + ((hdr + nl + 8) & ~(size_t)7);
		if ((mode & 0170000) != 0100000)
			continue;
		if (stage && nv && !strcmp(v[nv - 1], prev.data))
			continue;
		v[nv++] = xstrdup(prev.data);
	}
	*out = v;
	*n = nv;
	v = NULL;
	rc = 0;
	goto out;
bad:
	rc = kr_errc(KR_EINVAL, "%s: truncated or corrupt index", path.data);
out:
	if (v)
		gitindex_free(v, nv);
	buf_dispose(&b);
	buf_dispose(&path);
	buf_dispose(&prev);
	return rc;
}
