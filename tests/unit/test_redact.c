/* test_redact: a corpus of secret shapes that must be redacted and of
 * look-alikes that must stay byte for byte. */
#include "check.h"

#include "kairos/err.h"
#include "kairos/redact.h"

#include <stdlib.h>

static char *red(const char *s, int *count)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	if (redact(s, strlen(s), &b, count))
		return NULL;
	return buf_detach(&b);
}

/* Each secret is embedded in a sentence; the secret text must be gone
 * and [REDACTED] present, and the words around it kept. */
static const struct {
	const char *text, *secret;
} secrets[] = {
	{"key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"},
	{"temp ASIAY34FZKBOKMUTVV7A used", "ASIAY34FZKBOKMUTVV7A"},
	{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	 "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done",
	 "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{"token ghp_16C7e42F292c6912E7710c838347Ae178B4a for ci", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"},
	{"oauth gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a"},
	{"(ghs_abcdefghijklmnopqrstuvwxyz0123456789)", "ghs_abcdefghijklmnopqrstuvwxyz0123456789"},
	{"ghu_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 user", "ghu_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"},
	{"refresh ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c3", "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c3"},
	{"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV0123 x",
	 "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV0123"},
	{"slack xoxb-2345678901-2345678901234-AbCdEfGhIjKlMnOpQrStUvWx",
	 "xoxb-2345678901-2345678901234-AbCdEfGhIjKlMnOpQrStUvWx"},
	{"xoxp-1234567890-1234567890-1234567890123-abcdef0123456789abcdef0123456789",
	 "xoxp-1234567890-1234567890-1234567890123-abcdef0123456789abcdef0123456789"},
	{"legacy xoxa-2-1234567890-abcdefghij", "xoxa-2-1234567890-abcdefghij"},
	{"app xapp-1-A0123456789-1234567890123-abcdef0123456789", "xapp-1-A0123456789-1234567890123-abcdef0123456789"},
	{"OPENAI_KEY is sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL",
	 "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"},
	{"claude sk-ant-api03-AbCdEf0123456789_AbCdEf0123456789-xyzXYZ0123456789AA",
	 "sk-ant-api03-AbCdEf0123456789_AbCdEf0123456789-xyzXYZ0123456789AA"},
	{"proj sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78", "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"},
	{"docs: sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
	{"maps AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"},
	{"stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"},
	{"restricted rk_live_51H8abcdefghijklmnopqrst", "rk_live_51H8abcdefghijklmnopqrst"},
	{"test key sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"},
	{"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BjP5CE/Wm/Rr500P\n"
	 "-----END RSA PRIVATE KEY-----\nafter",
	 "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi"},
	{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
	 "-----END OPENSSH PRIVATE KEY-----",
	 "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"},
	{"cut -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5",
	 "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5"},
	{"jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
	 "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
	 "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
	{"password=hunter2", "hunter2"},
	{"DB_PASSWORD=\"c0rrect horse\" next", "c0rrect horse"},
	{"passwd: s3cr3t!", "s3cr3t!"},
	{"client_secret = 'abcDEF123456'", "abcDEF123456"},
	{"api_key=0123456789abcdef0123", "0123456789abcdef0123"},
	{"{\"apiKey\": \"AbC123xyz987\"}", "AbC123xyz987"},
	{"export GITHUB_TOKEN=abc123def456", "abc123def456"},
	{"curl https://example.com/?token=f00dfeed&x=1", "f00dfeed"},
	{"clone https://alice:Sup3rS3cret@git.example.com/repo.git", "Sup3rS3cret"},
	{"postgres://app:pa55w0rd@db.internal:5432/prod", "pa55w0rd"},
	{"Authorization: Bearer abcdefghijklmnop0123456789.xyz", "abcdefghijklmnop0123456789.xyz"},
	{"{\"ts\":\"x\",\"text\":\"secret=\\\"letmein\\\" ok\"}", "letmein"},
	{"npm token npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789"},
	{"gitlab glpat-abcdefghij0123456789", "glpat-abcdefghij0123456789"},
	{"secret_key: hunter2hunter2", "hunter2hunter2"},
	/* an UPPER_SNAKE value that is not a variable's name is still one */
	{"DB_PASSWORD=HUNTER_2 for staging", "HUNTER_2"},
	{"secret: HUNTER_TWO", "HUNTER_TWO"},
};

/* Text that looks a little like a secret and must stay as it is. */
static const char *lookalikes[] = {
	"commit 3f9a2c1d4b5e6f708192a3b4c5d6e7f8091a2b3c fixed it",
	"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"id 123e4567-e89b-12d3-a456-426614174000 in the table",
	"base64 test data: dGhpcyBpcyBqdXN0IHRlc3QgZGF0YSwgbm90IGEga2V5Cg==",
	"aGVsbG8gd29ybGQ= and Zm9vYmFy",
	"the skeleton of the parser",
	"task-runner and risk-free and desk-top",
	"sk-learn is a library",
	"sk-this-is-a-long-hyphenated-phrase",
	"the password reset flow sends an email",
	"Password: see the wiki page for the rotation policy",
	"token: the lexer emits one per word",
	"max_tokens=4096",
	"tokens: 12",
	"if (password == NULL) return;",
	"password = getpass(prompt)",
	"password=${DB_PASSWORD}",
	"token = null",
	"git@github.com:owner/repo.git",
	"https://example.com:8443/path?q=1",
	"ssh://git@example.com:22/repo",
	"mailto:someone@example.com",
	"AKIA is the prefix of AWS access key ids",
	"AKIAIOSFODNN7 is too short",
	"ghp_short",
	"eyJhbGciOiJIUzI1NiJ9 alone is a header",
	"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
	"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
	"Bearer of bad news",
	"xoxo-hugs and xox-b",
	"the secret sauce is patience",
	"use the api_key parameter, see below",
	"Token::Kind::Ident",
	"0x7fffffffffffffff and 18446744073709551615",
	"[REDACTED] stays [REDACTED]",
	"password=[REDACTED]",
	"AIza short",
	"version v1.2.3-rc.1+build.42",
	"Indent C code with 4 spaces, never tabs",
	/* lists of variable names (issue 13: a real line) */
	"Cloudflare Worker secret: HOLIDAY_API_KEY, NEIS_API_KEY, \u2026",
	"Cloudflare Worker secret: HOLIDAY_API_KEY, NEIS_API_KEY, …",
	"token: GH_TOKEN, NPM_TOKEN",
	"password: MY_DB_PASSWORD",
	"API_KEY=OTHER_API_KEY",
};

TEST(test_secrets_redacted)
{
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++) {
		int n = 0;
		char *r = red(secrets[i].text, &n);
		CHECK(r != NULL);
		if (!r)
			continue;
		if (strstr(r, secrets[i].secret) || !strstr(r, "[REDACTED]") || n < 1)
			fprintf(stderr, "secret %zu not redacted: %s -> %s\n", i, secrets[i].text, r);
		CHECK(strstr(r, secrets[i].secret) == NULL);
		CHECK(strstr(r, "[REDACTED]") != NULL);
		CHECK(n >= 1);
		free(r);
	}
	CHECK(ARRAY_LEN(secrets) >= 25);
}

TEST(test_lookalikes_untouched)
{
	for (size_t i = 0; i < ARRAY_LEN(lookalikes); i++) {
		int n = -1;
		char *r = red(lookalikes[i], &n);
		CHECK(r != NULL);
		if (!r)
			continue;
		if (strcmp(r, lookalikes[i]))
			fprintf(stderr, "look-alike %zu changed: %s -> %s\n", i, lookalikes[i], r);
		CHECK_STR(r, lookalikes[i]);
		CHECK_INT(n, 0);
		free(r);
	}
	CHECK(ARRAY_LEN(lookalikes) >= 25);
}

TEST(test_keeps_context)
{
	char *r = red("x password=hunter2 y", NULL);
	CHECK_STR(r, "x password=[REDACTED] y");
	free(r);
	r = red("clone https://alice:pw@host/r", NULL);
	CHECK_STR(r, "clone https://alice:[REDACTED]@host/r");
	free(r);
	r = red("a -----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY----- b", NULL);
	CHECK_STR(r, "a [REDACTED] b");
	free(r);
	r = red("{\"k\":\"token=abc\",\"n\":1}", NULL);
	CHECK_STR(r, "{\"k\":\"token=[REDACTED]\",\"n\":1}");
	free(r);
}

TEST(test_idempotent_and_str)
{
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++) {
		char *once = red(secrets[i].text, NULL), *twice = once ? red(once, NULL) : NULL;
		CHECK(once && twice && !strcmp(once, twice));
		free(once);
		free(twice);
	}
	int n = 0;
	char *s = redact_str(xstrdup("plain text"), &n);
	CHECK_STR(s, "plain text");
	CHECK_INT(n, 0);
	free(s);
	s = redact_str(xstrdup("two: AKIAIOSFODNN7EXAMPLE and ghp_16C7e42F292c6912E7710c838347Ae178B4a"), &n);
	CHECK_STR(s, "two: [REDACTED] and [REDACTED]");
	CHECK_INT(n, 2);
	free(s);
	CHECK(redact_str(NULL, &n) == NULL);
}

/* The text that grows the most under redaction still fits REDACT_CAP,
 * the cap redact_str gives its copy: a cap of twice the text would have
 * failed, and redact_str would have kept every secret. */
TEST(test_growth_fits_the_cap)
{
	struct buf in = BUF_INIT_CAP(BUF_CAP_LINE), out;
	int n = 0;
	char *s;

	for (int i = 0; i < 1000; i++)
		buf_puts(&in, "pass=x;"); /* 7 bytes become 16 */
	CHECK_INT(buf_err(&in), 0);
	buf_init(&out, REDACT_CAP(in.len));
	CHECK_INT(redact(in.data, in.len, &out, &n), 0);
	CHECK_INT(n, 1000);
	CHECK(out.len > 2 * in.len + 64);
	CHECK(out.len <= REDACT_CAP(in.len));
	s = redact_str(xstrdup(in.data), &n);
	CHECK_INT(n, 1000);
	CHECK(s && !strstr(s, "=x;"));
	free(s);
	buf_dispose(&out);
	buf_dispose(&in);

	/* a caller's buffer that fails makes redact fail, never cut short */
	buf_init(&out, 20);
	CHECK_INT(redact("pass=x; pass=y;", 15, &out, &n), KR_ENOMEM);
	CHECK_INT(buf_err(&out), KR_ENOMEM);
	buf_dispose(&out);
}

int main(void)
{
	RUN(test_secrets_redacted);
	RUN(test_lookalikes_untouched);
	RUN(test_keeps_context);
	RUN(test_idempotent_and_str);
	RUN(test_growth_fits_the_cap);
	CHECK_MAIN_END();
}
