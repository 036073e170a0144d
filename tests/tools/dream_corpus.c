/* dream_corpus DIR N: writes a labelled corpus of about N memories for
 * the dream, DIR/store/NAME.md and DIR/labels.txt, labelled by
 * construction (tests/suites/50-dream.sh scores a dream with
 * dream_score). Families of look-alikes: one template over many
 * directories, file types, flags, targets, people and services, every
 * member a distinct fact (keep); mirror images, and values swapped
 * between two sentences; and, hidden among
 * them, true duplicates (a phrase moved to the front, stop words added,
 * contractions, case) and true contradictions (one value of the closed
 * list or the polarity changed), and date traps (relative dates inside
 * code spans and fences, real ones in descriptions). Labels:
 *   keep NAME                 must stay active
 *   dup SURVIVOR ABSORBED     must merge (the newer survives)
 *   contra WINNER LOSER       the newer retires the older
 *   date NAME PHRASE DATE     the phrase becomes DATE, description and body
 *   trap NAME TEXT            TEXT (a date in code) stays as it is
 * Deterministic: the same N gives the same corpus. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const mods[] = {
	"tick", "lexer", "parser", "store", "dream", "model", "rpc", "proxy", "base", "git",
	"lsp", "cli", "index", "cache", "journal", "history", "plugin", "editor", "render", "layout",
	"config", "shell", "net", "http", "auth", "crypto", "db", "sched", "queue", "worker",
	"timer", "alloc", "arena", "pool", "buffer", "stream", "codec", "image", "audio", "video"};
static const char *const subs[] = {"core", "util", "io", "api", "impl", "test", "bench",
				   "tools", "gen", "fmt", "hash", "map", "list", "tree",
				   "graph", "ops", "diff", "sync", "async", "mem", "err",
				   "log", "text", "time", "path"};
static const char *const ftypes[] = {"headers", "C sources", "shell scripts", "Python modules",
				     "Makefiles", "YAML configs", "Lua scripts", "test fixtures",
				     "Markdown docs", "JSON schemas", "Go packages", "Rust crates"};
static const char *const people[] = {"alice", "bob", "carol", "dave", "erin", "frank",
				     "grace", "heidi", "ivan", "judy", "mallory", "niaj",
				     "olivia", "peggy", "rupert", "sybil", "trent", "victor",
				     "walter", "yvonne", "zoe", "quentin", "ursula", "xavier"};
static const char *const flags[] = {
	"-Wshadow", "-Wvla", "-Wconversion", "-Wformat=2", "-Wcast-align", "-Wundef",
	"-Wpedantic", "-Wdouble-promotion", "-Wnull-dereference", "-Wswitch-enum",
	"-Wstrict-overflow", "-Wlogical-op", "-Wduplicated-cond", "-Wjump-misses-init",
	"-Wredundant-decls", "-Wmissing-noreturn", "-Wpointer-arith", "-Wwrite-strings",
	"-Wcast-qual", "-Wfloat-equal", "-Wunused-macros", "-Wsign-conversion",
	"-Wold-style-definition", "-Wnested-externs", "-Winline", "-Wpacked",
	"-Wpadded", "-Wstack-protector", "-Walloca", "-Wdate-time"};
static const char *const targets[] = {"test", "bench", "fuzz", "release", "debug", "docs",
				      "install", "coverage", "asan", "tsan", "ubsan", "lint"};
static const char *const platforms[] = {"linux", "macos", "windows", "freebsd", "openbsd",
					"android", "ios", "solaris", "illumos", "haiku"};
static const char *const events[] = {"pushing", "merging", "tagging", "releasing",
				     "deploying", "rebasing", "committing", "publishing"};
static const char *const mtargets[] = {"docs", "check", "test", "lint", "fmt", "bench",
				       "install", "dist", "clean", "coverage", "fuzz", "asan",
				       "tidy", "format", "deps", "gen", "man", "site", "pack",
				       "sign"};
static const char *const services[] = {
	"billing", "search", "mailer", "gateway", "scheduler", "ledger", "catalog", "checkout",
	"inventory", "payments", "profile", "session", "upload", "thumbnail", "webhook",
	"notifier", "audit", "metrics", "tracing", "export", "import", "pricing", "shipping",
	"reviews", "ratings", "coupons", "loyalty", "support", "chat", "feed", "ranking",
	"ads", "geo", "routing", "fraud", "identity", "consent", "archive", "backup", "restore"};
static const char *const langs[] = {"JavaScript", "TypeScript", "Python", "Ruby", "Lua",
				    "Perl", "PHP", "Kotlin", "Swift", "Dart"};
static const char *const kinds[] = {"functions", "variables", "constants", "types",
				    "fields", "tables", "modules", "tests"};
static const char *const styles[] = {"snake_case", "camelCase", "PascalCase", "kebab-case"};
static const char *const prefs[][2] = {
	{"arenas", "malloc"},        {"composition", "inheritance"}, {"enums", "macros"},
	{"iterators", "indexes"},    {"rebase", "merge"},            {"squash", "fixup"},
	{"channels", "mutexes"},     {"tables", "switches"},         {"asserts", "logs"},
	{"fixtures", "mocks"},       {"streams", "callbacks"},       {"unions", "casts"}};

struct mem {
	char name[96];
	char desc[400];
	char body[1200];
	int64_t created, updated;
};

static const char *dir_;
static FILE *labels;
static long written;

static void stamp(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void put(const struct mem *m)
{
	char path[4096], c[32], u[32];
	FILE *f;
	snprintf(path, sizeof(path), "%s/store/%s.md", dir_, m->name);
	if (!(f = fopen(path, "w"))) {
		perror(path);
		exit(1);
	}
	stamp(c, m->created);
	stamp(u, m->updated);
	fprintf(f, "---\nname: %s\ndescription: '", m->name);
	for (const char *p = m->desc; *p; p++) /* YAML single quotes: '' is one ' */
		fputs(*p == '\'' ? "''" : (char[2]){*p, 0}, f);
	fprintf(f, "'\ntype: feedback\ncreated: %s\nupdated: %s\n---\n%s", c, u, m->body);
	fclose(f);
	written++;
}

static void label(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(labels, fmt, ap);
	va_end(ap);
	fputc('\n', labels);
}

/* the survivor rule: latest updated, then later created, then the name that sorts last */
static bool newer(const struct mem *a, const struct mem *b)
{
	if (a->updated != b->updated)
		return a->updated > b->updated;
	if (a->created != b->created)
		return a->created > b->created;
	return strcmp(a->name, b->name) > 0;
}

static uint64_t rnd(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* One fact's text: the description; the body repeats it and says why. */
static void fill(struct mem *m, const char *name, const char *desc, const char *why, int64_t t)
{
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->desc, sizeof(m->desc), "%s", desc);
	snprintf(m->body, sizeof(m->body), "%s.\n\n**Why:** %s.\n", desc, why);
	m->created = m->updated = t;
}

/* A duplicate's text: the same statement said otherwise. */
static void restate(char *out, size_t cap, const char *moved, const char *plain, uint64_t r)
{
	switch (r % 4) {
	case 0: /* a phrase moved to the front */
		snprintf(out, cap, "%s", moved);
		break;
	case 1: /* stop words */
		snprintf(out, cap, "Please make sure you %c%.300s", plain[0] | 0x20, plain + 1);
		break;
	case 2: { /* case */
		size_t i = 0;
		for (; plain[i] && i + 1 < cap; i++)
			out[i] = (char)((plain[i] >= 'a' && plain[i] <= 'z') ? plain[i] - 32 : plain[i]);
		out[i] = 0;
		break;
	}
	default: /* both */
		snprintf(out, cap, "Also, %s", moved);
		break;
	}
}

/* A family member: its plain statement, the same with a phrase moved to
 * the front, and (may be empty) the statement contradicting it. */
struct fact {
	char plain[300], moved[300], contra[300], why[120];
};

typedef int (*family_fn)(struct fact *f, long k); /* 0: no more distinct facts */

static const char *dirn(long k, char *buf)
{
	sprintf(buf, "src/%s/%s/", mods[k % LEN(mods)], subs[(k / LEN(mods)) % LEN(subs)]);
	return buf;
}
#define NDIRS ((long)(LEN(mods) * LEN(subs)))

static int f_indent(struct fact *f, long k)
{
	char d[64];
	const char *ft = ftypes[k % LEN(ftypes)];
	int w = 2 << (k / 7 % 3);
	if (k >= (long)LEN(ftypes) * NDIRS)
		return 0;
	dirn(k / LEN(ftypes), d);
	snprintf(f->plain, sizeof(f->plain), "Indent %s in %s with %d spaces, never tabs", ft, d, w);
	snprintf(f->moved, sizeof(f->moved), "Never tabs: indent %s in %s with %d spaces", ft, d, w);
	snprintf(f->contra, sizeof(f->contra), "Indent %s in %s with %d spaces, never tabs", ft, d,
		 w == 8 ? 4 : w * 2);
	snprintf(f->why, sizeof(f->why), "the %s review asked for it", d);
	return 1;
}

static int f_include(struct fact *f, long k)
{
	char a[64], b[64];
	/* k -> a pair of directories; even k the rule, odd k its mirror image */
	long p = k / 2, x = p % NDIRS, y = (x + 1 + p / NDIRS) % NDIRS;
	if (p / NDIRS >= NDIRS - 1)
		return 0;
	dirn(k & 1 ? y : x, a);
	dirn(k & 1 ? x : y, b);
	snprintf(f->plain, sizeof(f->plain), "Code in `%s` must not include headers from `%s`", a, b);
	snprintf(f->moved, sizeof(f->moved), "Code in `%s` must not include the headers from `%s`", a, b);
	f->contra[0] = 0;
	snprintf(f->why, sizeof(f->why), "layering between %.40s and %.40s", a, b);
	return 1;
}

static int f_flags(struct fact *f, long k)
{
	const char *fl = flags[k % LEN(flags)], *t = targets[(k / LEN(flags)) % LEN(targets)];
	const char *m = mods[k / LEN(flags) / LEN(targets)];
	if (k >= (long)(LEN(flags) * LEN(targets) * LEN(mods)))
		return 0;
	snprintf(f->plain, sizeof(f->plain), "Disable `%s` for the %s target of the %s module", fl, t, m);
	snprintf(f->moved, sizeof(f->moved), "For the %s target of the %s module, disable `%s`", t, m, fl);
	snprintf(f->contra, sizeof(f->contra), "Enable `%s` for the %s target of the %s module", fl, t, m);
	snprintf(f->why, sizeof(f->why), "noise in the %s build", t);
	return 1;
}

static int f_issues(struct fact *f, long k)
{
	const char *pl = platforms[k % LEN(platforms)];
	snprintf(f->plain, sizeof(f->plain), "Issue %ld is flaky on %s runners", 1000 + k, pl);
	snprintf(f->moved, sizeof(f->moved), "On %s runners, issue %ld is flaky", pl, 1000 + k);
	snprintf(f->contra, sizeof(f->contra), "Issue %ld is not flaky on %s runners", 1000 + k, pl);
	snprintf(f->why, sizeof(f->why), "seen in the nightly run");
	return 1;
}

static int f_make(struct fact *f, long k)
{
	char d[64];
	const char *t = mtargets[k % LEN(mtargets)], *e = events[(k / LEN(mtargets)) % LEN(events)];
	long r = k / LEN(mtargets) / LEN(events);
	if (r >= NDIRS)
		return 0;
	dirn(r, d);
	snprintf(f->plain, sizeof(f->plain), "Run `make %s` in `%s` before %s", t, d, e);
	snprintf(f->moved, sizeof(f->moved), "Before %s, run `make %s` in `%s`", e, t, d);
	snprintf(f->contra, sizeof(f->contra), "Don't run `make %s` in `%s` before %s", t, d, e);
	snprintf(f->why, sizeof(f->why), "CI runs it anyway for %s", d);
	return 1;
}

static int f_people(struct fact *f, long k)
{
	char d[64];
	const char *p = people[k % LEN(people)];
	if (k / (long)LEN(people) >= NDIRS * (long)LEN(ftypes))
		return 0;
	dirn(k / LEN(people) % NDIRS, d);
	snprintf(f->plain, sizeof(f->plain), "Ask %s to review changes to the %s in `%s`", p,
		 ftypes[k / LEN(people) / NDIRS], d);
	snprintf(f->moved, sizeof(f->moved), "Changes to the %s in `%s`: ask %s to review",
		 ftypes[k / LEN(people) / NDIRS], d, p);
	f->contra[0] = 0;
	snprintf(f->why, sizeof(f->why), "%s owns that code", p);
	return 1;
}

static int f_timeout(struct fact *f, long k)
{
	const char *s = services[k % LEN(services)], *m = mods[(k / LEN(services)) % LEN(mods)];
	const char *pl = platforms[k / LEN(services) / LEN(mods) % LEN(platforms)];
	int n = 10 * (int)(1 + k % 7);
	if (k >= (long)(LEN(services) * LEN(mods) * LEN(platforms)))
		return 0;
	snprintf(f->plain, sizeof(f->plain), "Set the %s client timeout to %d seconds in the %s module on %s", s, n, m, pl);
	snprintf(f->moved, sizeof(f->moved), "On %s, set the %s client timeout to %d seconds in the %s module", pl, s, n, m);
	snprintf(f->contra, sizeof(f->contra), "Set the %s client timeout to %d seconds in the %s module on %s", s, n + 5, m, pl);
	snprintf(f->why, sizeof(f->why), "the %s upstream is slow", s);
	return 1;
}

static int f_port(struct fact *f, long k)
{
	const char *s = services[k % LEN(services)];
	const char *pl = platforms[(k / LEN(services)) % LEN(platforms)];
	const char *m = mods[k / LEN(services) / LEN(platforms) % LEN(mods)];
	int port = 3000 + (int)(k % 97);
	if (k >= (long)(LEN(services) * LEN(platforms) * LEN(mods)))
		return 0;
	snprintf(f->plain, sizeof(f->plain), "Use port %d for the %s dev server of %s on %s", port, s, m, pl);
	snprintf(f->moved, sizeof(f->moved), "On %s, use port %d for the %s dev server of %s", pl, port, s, m);
	snprintf(f->contra, sizeof(f->contra), "Use port %d for the %s dev server of %s on %s", port + 1000, s, m, pl);
	snprintf(f->why, sizeof(f->why), "the proxy forwards it");
	return 1;
}

static int f_quotes(struct fact *f, long k)
{
	char d[64];
	const char *l = langs[k % LEN(langs)], *q = (k / LEN(langs)) & 1 ? "double" : "single";
	if (k >= (long)LEN(langs) * NDIRS) /* each language and directory once */
		return 0;
	dirn(k / LEN(langs) % NDIRS, d);
	snprintf(f->plain, sizeof(f->plain), "Use %s quotes in %s files under `%s`", q, l, d);
	snprintf(f->moved, sizeof(f->moved), "In %s files under `%s`, use %s quotes", l, d, q);
	snprintf(f->contra, sizeof(f->contra), "Use %s quotes in %s files under `%s`",
		 q[0] == 'd' ? "single" : "double", l, d);
	snprintf(f->why, sizeof(f->why), "the formatter of %s says so", l);
	return 1;
}

static int f_naming(struct fact *f, long k)
{
	const char *kd = kinds[k % LEN(kinds)], *l = langs[(k / LEN(kinds)) % LEN(langs)];
	const char *m = mods[k / LEN(kinds) / LEN(langs) % LEN(mods)];
	long pl = k / LEN(kinds) / LEN(langs) / LEN(mods), st = k / 7 % LEN(styles);
	if (pl >= (long)LEN(platforms)) /* each subject once, in one style */
		return 0;
	snprintf(f->plain, sizeof(f->plain), "Name %s %s in the %s module for %s in %s", l, kd, m,
		 platforms[pl], styles[st]);
	snprintf(f->moved, sizeof(f->moved), "In the %s module for %s, name %s %s in %s", m,
		 platforms[pl], l, kd, styles[st]);
	snprintf(f->contra, sizeof(f->contra), "Name %s %s in the %s module for %s in %s", l, kd, m,
		 platforms[pl], styles[(st + 1) % LEN(styles)]);
	snprintf(f->why, sizeof(f->why), "it matches the %s style guide", l);
	return 1;
}

static int f_bool(struct fact *f, long k)
{
	const char *s = services[k % LEN(services)], *t = targets[(k / LEN(services)) % LEN(targets)];
	const char *pl = platforms[k / LEN(services) / LEN(targets) % LEN(platforms)];
	const char *m = mods[k / LEN(services) / LEN(targets) / LEN(platforms) % LEN(mods)];
	const char *v = (k / LEN(services)) & 1 ? "false" : "true";
	if (k >= (long)(LEN(services) * LEN(targets) * LEN(platforms) * LEN(mods)))
		return 0;
	snprintf(f->plain, sizeof(f->plain), "Set `%s_%s_%s_strict` to %s on %s", s, t, m, v, pl);
	snprintf(f->moved, sizeof(f->moved), "On %s, set `%s_%s_%s_strict` to %s", pl, s, t, m, v);
	snprintf(f->contra, sizeof(f->contra), "Set `%s_%s_%s_strict` to %s on %s", s, t, m,
		 v[0] == 't' ? "false" : "true", pl);
	snprintf(f->why, sizeof(f->why), "the %s checks depend on it", t);
	return 1;
}

static int f_prefer(struct fact *f, long k)
{
	char d[64];
	const char *const *p = prefs[k % LEN(prefs)];
	int swap = (int)((k / LEN(prefs)) & 1);
	if (k >= (long)LEN(prefs) * NDIRS) /* each pair and directory once */
		return 0;
	dirn(k / LEN(prefs) % NDIRS, d);
	snprintf(f->plain, sizeof(f->plain), "Prefer %s over %s in `%s`", p[swap], p[!swap], d);
	snprintf(f->moved, sizeof(f->moved), "In `%s`, prefer %s over %s", d, p[swap], p[!swap]);
	snprintf(f->contra, sizeof(f->contra), "Prefer %s over %s in `%s`", p[!swap], p[swap], d);
	snprintf(f->why, sizeof(f->why), "measured in %s", d);
	return 1;
}

/* Two sentences, each binding a value to a directory; odd k the same
 * directories with the values swapped between the sentences. */
static int f_two(struct fact *f, long k)
{
	char a[64], b[64], va[16], vb[16];
	long p = k / 2, x = p % NDIRS, y = (x + 1 + p / NDIRS) % NDIRS;
	int w = 2 << (p % 3);
	if (p / NDIRS >= NDIRS - 1)
		return 0;
	dirn(x, a);
	dirn(y, b);
	snprintf(va, sizeof(va), k & 1 ? "%d spaces" : "tabs", w);
	snprintf(vb, sizeof(vb), k & 1 ? "tabs" : "%d spaces", w);
	snprintf(f->plain, sizeof(f->plain), "Indent scripts in `%s` with %s. Indent scripts in `%s` with %s", a, va, b, vb);
	snprintf(f->moved, sizeof(f->moved), "Indent scripts in `%s` with %s. Indent scripts in `%s` with %s", b, vb, a, va);
	if (k & 1)
		f->contra[0] = 0;
	else
		snprintf(f->contra, sizeof(f->contra), "Indent scripts in `%s` with tabs. Indent scripts in `%s` with %d spaces",
			 a, b, w == 8 ? 4 : 2 * w);
	snprintf(f->why, sizeof(f->why), "the two trees differ");
	return 1;
}

static const struct {
	const char *prefix;
	family_fn fn;
} families[] = {
	{"ind", f_indent}, {"inc", f_include}, {"flag", f_flags}, {"iss", f_issues},
	{"mk", f_make},    {"own", f_people},  {"tmo", f_timeout}, {"port", f_port},
	{"quo", f_quotes}, {"nam", f_naming},  {"bool", f_bool},  {"pref", f_prefer},
	{"two", f_two},
};

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

/* A memory with real relative dates in its description and body, and
 * relative dates in code that must stay. */
static void date_trap(long k)
{
	struct mem m;
	char d[32], name[64];
	const char *s = services[k % LEN(services)], *pl = platforms[(k / LEN(services)) % LEN(platforms)];
	time_t when;
	struct tm tm;

	snprintf(name, sizeof(name), "date-%ld", k);
	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.desc, sizeof(m.desc), "Yesterday the %s deploy %ld broke on %s", s, k, pl);
	snprintf(m.body, sizeof(m.body),
		 "Yesterday the %s deploy %ld broke on %s.\n\n"
		 "`git log --since yesterday` shows what changed.\n\n"
		 "```sh\ngit log --since 'last week' -- %s\n```\n",
		 s, k, pl, s);
	m.created = m.updated = T0 + 86400 * (k % 300) + 3600;
	put(&m);
	when = (time_t)(m.created - 86400);
	gmtime_r(&when, &tm);
	strftime(d, sizeof(d), "%Y-%m-%d", &tm);
	label("date %s Yesterday %s", name, d);
	label("trap %s `git log --since yesterday`", name);
	label("trap %s git log --since 'last week' -- %s", name, s);
	label("keep %s", name);
}

int main(int argc, char **argv)
{
	char path[4096];
	long n, per, i = 0;
	if (argc != 3) {
		fprintf(stderr, "usage: dream_corpus DIR N\n");
		return 2;
	}
	dir_ = argv[1];
	n = atol(argv[2]);
	mkdir(dir_, 0755);
	snprintf(path, sizeof(path), "%s/store", dir_);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/labels.txt", dir_);
	if (!(labels = fopen(path, "w"))) {
		perror(path);
		return 1;
	}
	/* one date trap per hundred memories, the rest shared by the families */
	for (long k = 0; k < n / 100; k++)
		date_trap(k);
	per = (n - n / 100) / (long)LEN(families);
	for (size_t fam = 0; fam < LEN(families); fam++) {
		long made = 0;
		for (long k = 0; made < per; k++, i++) {
			struct fact f;
			struct mem a, b;
			char name[64], text[400];
			uint64_t r = rnd((uint64_t)i * 7919 + fam);
			int64_t t = T0 + (int64_t)(r % (86400 * 300));

			if (!families[fam].fn(&f, k))
				break;
			snprintf(name, sizeof(name), "%s-%ld", families[fam].prefix, k);
			fill(&a, name, f.plain, f.why, t);
			put(&a);
			made++;
			if (r % 100 < 3) { /* a true duplicate, said otherwise */
				restate(text, sizeof(text), f.moved, f.plain, r >> 8);
				snprintf(name, sizeof(name), "%s-%ld-dup", families[fam].prefix, k);
				fill(&b, name, text, "the same again", t);
				/* sometimes the same times: the name decides */
				if ((r >> 16) % 3 == 0)
					b.created = b.updated = t + 86400;
				else if ((r >> 16) % 3 == 1)
					b.created = b.updated = t - 86400;
				put(&b);
				made++;
				if (newer(&a, &b))
					label("dup %s %s", a.name, b.name);
				else
					label("dup %s %s", b.name, a.name);
			} else if (r % 100 < 6 && f.contra[0]) { /* a true contradiction */
				snprintf(name, sizeof(name), "%s-%ld-new", families[fam].prefix, k);
				fill(&b, name, f.contra, "changed since", t);
				b.created = b.updated = ((r >> 16) & 1) ? t + 3600 : t - 3600;
				put(&b);
				made++;
				if (newer(&a, &b))
					label("contra %s %s", a.name, b.name);
				else
					label("contra %s %s", b.name, a.name);
			} else {
				label("keep %s", a.name);
			}
		}
	}
	fclose(labels);
	printf("%ld memories in %s/store\n", written, dir_);
	return 0;
}
