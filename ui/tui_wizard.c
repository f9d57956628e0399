/*
 * tui_wizard: the first run and the new-CA wizard.
 *
 *   intro --Enter--> certificate page --Enter--> custodians page --Enter-->
 *   review (a decision) --Create--> key generation and share delivery (a job)
 *   --> the CA's fingerprint, read aloud --> dashboard
 *
 * Pages are pushed, so Esc walks back through them with what was typed kept.
 * Every field is checked by the core as the focus leaves it (ca_name_parse
 * for the subject, ca_alg_from_name, the root validity bounds of ca_root.h,
 * cer_plan_check for custodians and threshold); cer_init then does it all.
 * The certificate page owns the wizard's state; the pages above borrow it.
 */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "ca/ca_name.h"
#include "ca/ca_root.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_card.h"
#include "ceremony/cer_transcript.h"
#include "ui/tui.h"

enum { F_CN, F_O, F_OU, F_C, F_ALG, F_DAYS, CERT_FIELDS };
enum { F_COUNT, F_THRESHOLD, F_FIRST_CUSTODIAN };
#define CUST_FIELDS (F_FIRST_CUSTODIAN + 2 * CER_MAX_CUSTODIANS)
#define DEFAULT_DAYS "7305"

static const enum ca_alg alg_order[] = {CA_ALG_EC_P384, CA_ALG_EC_P256, CA_ALG_EC_P521,
                                        CA_ALG_RSA_3072, CA_ALG_RSA_4096};
#define NALGS (sizeof(alg_order) / sizeof(alg_order[0]))
static const char *const yes_no[] = {"no", "yes"};

struct wizard {
	struct tui_field cert[CERT_FIELDS];
	struct tui_form cert_form;
	struct tui_field cust[CUST_FIELDS];
	struct tui_form cust_form;
	const char *alg_names[NALGS];
	size_t ncust; /* custodian rows on the page */
	/* what cer_init gets, filled from the pages */
	char subject[CA_NAME_TEXT_MAX];
	struct cer_share_plan plan;
	unsigned days;
	enum ca_alg alg;
	struct cer_init_params params;
	struct cer_session *session; /* the new CA's audit log starts with it */
};

static const struct tui_screen_ops cert_ops, cust_ops;

/* --- checks, all by the core ---------------------------------------------------------- */

/* Appends "/ATTR=value" with '/' and '\' escaped as ca_name wants. */
static int
dn_append(char *dn, size_t len, const char *attr, const char *value)
{
	size_t used = strlen(dn), i;
	int n = snprintf(dn + used, len - used, "/%s=", attr);

	if (n < 0 || (size_t)n >= len - used)
		return -1;
	used += (size_t)n;
	for (i = 0; value[i] != '\0'; i++) {
		if ((value[i] == '/' || value[i] == '\\') && used + 1 < len)
			dn[used++] = '\\';
		if (used + 1 >= len)
			return -1;
		dn[used++] = value[i];
	}
	dn[used] = '\0';
	return 0;
}

/* The subject from the page, in the order ca_name takes (C, O, OU, CN); only given fields. */
static int
build_subject(const struct wizard *w, char *dn, size_t len, int only)
{
	static const struct {
		int field;
		const char *attr;
	} order[] = {{F_C, "C"}, {F_O, "O"}, {F_OU, "OU"}, {F_CN, "CN"}};
	size_t i;

	dn[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *v = w->cert[order[i].field].text;

		if (only >= 0 && order[i].field != only && order[i].field != F_CN)
			continue;
		if (order[i].field == F_CN && only >= 0 && only != F_CN)
			v = "x"; /* a stand-in, so one field can be checked alone */
		if (v[0] == '\0')
			continue;
		if (dn_append(dn, len, order[i].attr, v) != 0)
			return custos_err_set(CUSTOS_ETOOBIG, "the name is too long");
	}
	return 0;
}

static int
check_subject(struct wizard *w, int only, char *err, size_t errlen)
{
	char dn[CA_NAME_TEXT_MAX];
	X509_NAME *name = NULL;
	int r;

	if ((r = build_subject(w, dn, sizeof(dn), only)) == 0 &&
	    (r = ca_name_parse(dn, &name)) == 0)
		X509_NAME_free(name);
	if (r != 0)
		tui_err_text(r, err, errlen);
	return r;
}

static int
cert_validate(struct tui_form *form, size_t i, void *ctx)
{
	struct wizard *w = ctx;
	struct tui_field *f = &form->fields[i];
	unsigned long days;
	char *end;

	switch (i) {
	case F_CN:
		if (f->text[0] == '\0') {
			tui_fmt(f->error, sizeof(f->error), "The CA needs a common name.");
			return -1;
		}
		return check_subject(w, F_CN, f->error, sizeof(f->error)) ? -1 : 0;
	case F_O:
	case F_OU:
	case F_C:
		if (f->text[0] == '\0')
			return 0;
		return check_subject(w, (int)i, f->error, sizeof(f->error)) ? -1 : 0;
	case F_ALG:
		return ca_alg_from_name(w->alg_names[f->choice], &w->alg) != 0 ? -1 : 0;
	case F_DAYS:
		errno = 0;
		days = strtoul(f->text, &end, 10);
		if (f->text[0] == '\0' || *end != '\0' || errno != 0 || days < CA_ROOT_DAYS_MIN ||
		    days > CA_ROOT_DAYS_MAX) {
			tui_fmt(f->error, sizeof(f->error),
			        "The root is valid for %u to %u days (8 to 25 years).",
			        CA_ROOT_DAYS_MIN, CA_ROOT_DAYS_MAX);
			return -1;
		}
		w->days = (unsigned)days;
		return 0;
	default:
		return 0;
	}
}

/* N and M from the page, when they are numbers. */
static unsigned
number(const struct tui_field *f)
{
	char *end;
	unsigned long v = strtoul(f->text, &end, 10);

	return f->text[0] != '\0' && *end == '\0' && v <= 1000 ? (unsigned)v : 0;
}

/*
 * The plan as typed, with the first nreal names real and the others
 * stand-ins, so the core can judge one field at a time.
 */
static int
build_plan(const struct wizard *w, size_t nreal, unsigned threshold, struct cer_share_plan *plan)
{
	const char *names[CER_MAX_CUSTODIANS];
	char stand_in[CER_MAX_CUSTODIANS][CER_NAME_MAX];
	size_t i;
	int r;

	for (i = 0; i < w->ncust; i++) {
		const char *typed = w->cust[F_FIRST_CUSTODIAN + 2 * i].text;

		tui_fmt(stand_in[i], sizeof(stand_in[i]), "custos stand-in %zu", i + 1);
		names[i] = i < nreal && typed[0] != '\0' ? typed : stand_in[i];
	}
	if ((r = cer_plan_simple(plan, threshold, names, w->ncust)) != 0)
		return r;
	for (i = 0; i < w->ncust; i++)
		plan->groups[0].passphrase[i] = (int)w->cust[F_FIRST_CUSTODIAN + 2 * i + 1].choice;
	return 0;
}

/* Rebuilds the custodian rows for n custodians, keeping what was typed. */
static void
set_custodian_rows(struct wizard *w, size_t n)
{
	static char labels[CER_MAX_CUSTODIANS][24];
	size_t i;

	for (i = 0; i < CER_MAX_CUSTODIANS; i++) {
		struct tui_field *name = &w->cust[F_FIRST_CUSTODIAN + 2 * i], *pass = name + 1;

		tui_fmt(labels[i], sizeof(labels[i]), "Custodian %zu", i + 1);
		name->kind = TUI_FIELD_TEXT;
		name->label = labels[i];
		name->hint = "a name, as it will be written on the card (letters, digits, . _ -)";
		name->maxlen = CER_NAME_MAX - 1;
		name->width = 24;
		pass->kind = TUI_FIELD_CHOICE;
		pass->label = "  protect with a passphrase";
		pass->hint = "yes: this custodian also sets a passphrase, needed with the card";
		pass->choices = yes_no;
		pass->nchoices = 2;
	}
	w->ncust = n;
	w->cust_form.n = F_FIRST_CUSTODIAN + 2 * n;
	if (w->cust_form.cur >= w->cust_form.n)
		w->cust_form.cur = w->cust_form.n - 1;
}

static int
cust_validate(struct tui_form *form, size_t i, void *ctx)
{
	struct wizard *w = ctx;
	struct tui_field *f = &form->fields[i];
	unsigned n = number(&w->cust[F_COUNT]), m = number(&w->cust[F_THRESHOLD]);
	struct cer_share_plan plan;
	size_t row;
	int r;

	if (i == F_COUNT) {
		if (n < CER_MIN_CUSTODIANS || n > CER_MAX_CUSTODIANS) {
			tui_fmt(f->error, sizeof(f->error), "Between %d and %d custodians.",
			        CER_MIN_CUSTODIANS, CER_MAX_CUSTODIANS);
			return -1;
		}
		return 0;
	}
	if (i > F_THRESHOLD && (i - F_FIRST_CUSTODIAN) % 2 == 1)
		return 0; /* a passphrase choice */
	row = i == F_THRESHOLD ? 0 : (i - F_FIRST_CUSTODIAN) / 2;
	if (i != F_THRESHOLD && f->text[0] == '\0') {
		tui_fmt(f->error, sizeof(f->error), "Custodian %zu needs a name.", row + 1);
		return -1;
	}
	if ((r = build_plan(w, i == F_THRESHOLD ? 0 : row + 1, i == F_THRESHOLD ? m : 2, &plan)) ==
	    0)
		r = cer_plan_check(&plan);
	if (r != 0)
		tui_err_text(r, f->error, sizeof(f->error));
	return r != 0 ? -1 : 0;
}

/* --- the wizard's state ------------------------------------------------------------------ */

static struct wizard *
wizard_new(void)
{
	struct wizard *w = calloc(1, sizeof(*w));
	size_t i;

	if (w == NULL)
		return NULL;
	for (i = 0; i < NALGS; i++)
		w->alg_names[i] = ca_alg_name(alg_order[i]);
	w->cert[F_CN] = (struct tui_field){.kind = TUI_FIELD_TEXT,
	                                   .label = "Common name (CN)",
	                                   .hint = "the CA's name, e.g. Example Root CA 2026",
	                                   .width = 40,
	                                   .maxlen = 64 * 4};
	w->cert[F_O] = (struct tui_field){.kind = TUI_FIELD_TEXT,
	                                  .label = "Organization (O)",
	                                  .hint = "optional",
	                                  .width = 40,
	                                  .maxlen = 64 * 4};
	w->cert[F_OU] = (struct tui_field){.kind = TUI_FIELD_TEXT,
	                                   .label = "Organizational unit (OU)",
	                                   .hint = "optional",
	                                   .width = 40,
	                                   .maxlen = 64 * 4};
	w->cert[F_C] = (struct tui_field){.kind = TUI_FIELD_TEXT,
	                                  .label = "Country (C)",
	                                  .hint = "optional: two capital letters, e.g. US",
	                                  .width = 4,
	                                  .maxlen = 2};
	w->cert[F_ALG] = (struct tui_field){
	        .kind = TUI_FIELD_CHOICE,
	        .label = "Key algorithm",
	        .hint = "Left/Right to choose; rsa-4096 can take a while to generate",
	        .choices = w->alg_names,
	        .nchoices = NALGS};
	w->cert[F_DAYS] =
	        (struct tui_field){.kind = TUI_FIELD_NUMBER,
	                           .label = "Validity (days)",
	                           .hint = "2922 to 9132 (8 to 25 years); 7305 is 20 years",
	                           .width = 8,
	                           .maxlen = 5};
	memcpy(w->cert[F_DAYS].text, DEFAULT_DAYS, sizeof(DEFAULT_DAYS));
	w->cert_form = (struct tui_form){w->cert, CERT_FIELDS, 0, 0, cert_validate, w};
	w->cust[F_COUNT] =
	        (struct tui_field){.kind = TUI_FIELD_NUMBER,
	                           .label = "Custodians (N)",
	                           .hint = "2 to 16 people; each receives one share card",
	                           .width = 4,
	                           .maxlen = 2,
	                           .text = "3"};
	w->cust[F_THRESHOLD] = (struct tui_field){
	        .kind = TUI_FIELD_NUMBER,
	        .label = "Shares needed (M)",
	        .hint = "how many custodians must come together to use the key (2 to N)",
	        .width = 4,
	        .maxlen = 2,
	        .text = "2"};
	w->cust_form = (struct tui_form){w->cust, 0, 0, 0, cust_validate, w};
	set_custodian_rows(w, 3);
	return w;
}

/* --- intro ------------------------------------------------------------------------------ */

static void
intro_draw(struct tui *t, struct tui_screen *s)
{
	char head[PATH_MAX + 64], text[2048];
	int y = TUI_TOP;
	size_t i;

	(void)s;
	tui_fmt(head, sizeof(head), "There is no CA in %s yet: this creates one.", t->home);
	y = tui_heading(t, y, head);
	tui_fmt(text, sizeof(text),
	        "What happens now:\n"
	        "1. The operator enters the CA's name, key type and lifetime, and the "
	        "custodians who will hold its shares.\n"
	        "2. custos generates the root key on this laptop and seals it in a vault. "
	        "Opening the vault takes M of the N custodians together.\n"
	        "3. Each custodian in turn comes to the laptop alone, sees their share (%d "
	        "words), writes it on a card and types it back to prove the card is right. "
	        "The screen is cleared before the next one comes.\n"
	        "4. The root certificate's fingerprint is shown, to be read aloud.\n\n"
	        "Who must be present: the operator; every custodian, each with a blank share "
	        "card and a pen; the witnesses. This laptop must be offline.",
	        CER_CARD_WORDS);
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, TUI_BOTTOM - y - 2, TUI_S_NORMAL, text) + 1;
	for (i = 0; i < t->hardening.nwarnings && y < TUI_BOTTOM; i++)
		y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_WARN, t->hardening.warnings[i]);
	if (!t->has_altscreen && y < TUI_BOTTOM)
		tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_WARN,
		         "This terminal has no alternate screen: shares shown may stay in its "
		         "scrollback. Use another terminal (xterm, tmux, the Linux console).");
	tui_put(t, TUI_BOTTOM, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING,
	        "Press Enter to begin (Ctrl-C quits).");
}

static void
intro_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct wizard *w;

	(void)s;
	if (k->req == TUI_REQ_BACK) {
		tui_request_quit(t);
		return;
	}
	if (k->req != TUI_REQ_ENTER)
		return;
	if ((w = wizard_new()) == NULL) {
		tui_flash(t, "out of memory");
		return;
	}
	if (tui_push(t, &cert_ops, w) != 0)
		free(w);
}

const struct tui_screen_ops tui_intro_ops = {
        .title = "New CA",
        .keys = "Enter begin  Esc quit",
        .help = "There is no CA in this home directory yet. The wizard that follows creates one: "
                "parameters first, then the key, then one share card for each custodian. Gather "
                "everyone before you start: each custodian needs a blank card and a pen. Nothing "
                "is written until every custodian has confirmed their card.",
        .draw = intro_draw,
        .key = intro_key,
};

/* --- page 1: the certificate ------------------------------------------------------------------ */

static int
cert_open(struct tui *t, struct tui_screen *s, void *arg)
{
	(void)t;
	s->st = arg;
	return 0;
}

static void
cert_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static void
cert_draw(struct tui *t, struct tui_screen *s)
{
	struct wizard *w = s->st;
	int y = tui_heading(t, TUI_TOP, "Step 1 of 3: the root certificate");

	tui_form_draw(t, &w->cert_form, y, TUI_BOTTOM - y - 1);
	tui_put(t, TUI_BOTTOM, TUI_LEFT, TUI_WIDTH, TUI_S_DIM,
	        "Tab/Enter next field; Enter on the last field goes on to the custodians.");
}

static void
cert_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct wizard *w = s->st;
	char err[512];

	switch (tui_form_key(&w->cert_form, k)) {
	case TUI_FORM_DONE:
		if (check_subject(w, -1, err, sizeof(err)) != 0) {
			tui_fmt(w->cert[F_CN].error, sizeof(w->cert[F_CN].error), "%s", err);
			w->cert_form.cur = F_CN;
			return;
		}
		(void)build_subject(w, w->subject, sizeof(w->subject), -1);
		(void)tui_push(t, &cust_ops, w);
		break;
	case TUI_FORM_CANCEL:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops cert_ops = {
        .title = "New CA: certificate",
        .keys = "Tab next  Shift-Tab back  Enter next  Esc back",
        .help = "The root certificate's subject (its name), the key algorithm and how long the "
                "root is valid. Only the common name is required. Each field is checked when you "
                "leave it; the message under a field says what is wrong. Choices change with "
                "Left/Right. ec-p384 is a sound default; rsa-4096 takes longer to generate.",
        .flags = TUI_F_TEXT,
        .open = cert_open,
        .draw = cert_draw,
        .key = cert_key,
        .close = cert_close,
};

/* --- page 2: the custodians ------------------------------------------------------------------- */

static int
cust_open(struct tui *t, struct tui_screen *s, void *arg)
{
	(void)t;
	s->st = arg;
	return 0;
}

static void
cust_draw(struct tui *t, struct tui_screen *s)
{
	struct wizard *w = s->st;
	int y = tui_heading(t, TUI_TOP, "Step 2 of 3: the custodians");

	tui_form_draw(t, &w->cust_form, y, TUI_BOTTOM - y - 1);
	tui_put(t, TUI_BOTTOM, TUI_LEFT, TUI_WIDTH, TUI_S_DIM,
	        "Tab/Enter next field; Enter on the last field goes on to the review.");
}

static void review(struct tui *t, struct wizard *w);

static void
cust_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct wizard *w = s->st;
	unsigned n;

	switch (tui_form_key(&w->cust_form, k)) {
	case TUI_FORM_CHANGED:
		n = number(&w->cust[F_COUNT]);
		if (w->cust_form.cur == F_COUNT && n >= CER_MIN_CUSTODIANS &&
		    n <= CER_MAX_CUSTODIANS)
			set_custodian_rows(w, n);
		break;
	case TUI_FORM_DONE:
		review(t, w);
		break;
	case TUI_FORM_CANCEL:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops cust_ops = {
        .title = "New CA: custodians",
        .keys = "Tab next  Shift-Tab back  Enter next  Esc back",
        .help = "Who holds the shares. N custodians each receive one card; any M of them together "
                "can open the vault, fewer cannot. M must be at least 2 and at most N; choose N "
                "larger than M so that the CA survives a lost card. A custodian who protects the "
                "share with a passphrase must bring card and passphrase to every ceremony. Names "
                "are printed on the cards and may use letters, digits, space, '.', '_' and '-'.",
        .flags = TUI_F_TEXT,
        .open = cust_open,
        .draw = cust_draw,
        .key = cust_key,
};

/* --- page 3: review, then the job ---------------------------------------------------------------
 */

static int
create_fn(struct tui_job *j, void *arg)
{
	struct wizard *w = arg;

	w->params.deliver_ctx = j;
	w->params.passphrase_ctx = j;
	return cer_init(&w->params);
}

static void
create_ask(struct tui *t, void *arg, const struct tui_ask *ask)
{
	struct wizard *w = arg;

	tui_job_step(t, 2);
	if (ask->kind == TUI_ASK_DELIVER) {
		tui_job_note(t, "Cards confirmed: %zu of %zu", ask->index + 1, ask->total);
		if (ask->index + 1 == ask->total)
			tui_job_step(t, 3);
	} else {
		tui_job_note(t, "Protecting %s's share with the passphrase (Argon2id)...",
		             ask->custodian);
	}
	tui_deliver_ask(t, w, ask);
}

static void
created(struct tui *t, void *arg, int rc, const char *msg)
{
	struct wizard *w = arg;
	struct tui_message m;
	uint8_t fp[32];
	char hex[65], grouped[96], transcript[PATH_MAX + 64] = "", words[CER_TRANSCRIPT_WORDS_LEN];
	size_t i, o = 0;

	if (rc == 0 && cer_session_transcript_name(w->session)[0] != '\0')
		tui_fmt(transcript, sizeof(transcript), "%s/transcripts/%s", t->home,
		        cer_session_transcript_name(w->session));
	cer_session_free(w->session);
	w->session = NULL;
	tui_transcript_words(transcript, words, sizeof(words));
	memset(&m, 0, sizeof(m));
	if (rc != 0) {
		m.title = "Not created";
		m.error = 1;
		tui_fmt(m.heading, sizeof(m.heading), "The CA was not created");
		tui_fmt(m.text, sizeof(m.text),
		        "%s.\n\nNothing was written to %s. Cards written during this attempt "
		        "are worthless: destroy them in front of the witnesses. The parameters "
		        "are kept; you can change them and try again.",
		        msg, t->home);
		(void)tui_message_open(t, &m);
		return;
	}
	/* The wizard's pages close here (and free their state): arg is not used after this. */
	tui_pop_to_bottom(t);
	if (tui_open_home(t) != 0 || cer_root_fingerprint(t->h, fp) != 0) {
		tui_flash(t, "the CA was created but cannot be opened: %s", custos_err_detail());
		return;
	}
	(void)tui_replace(t, &tui_dash_ops, NULL);
	sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	for (i = 0; i < 64; i += 4) {
		memcpy(grouped + o, hex + i, 4);
		o += 4;
		grouped[o++] = i == 28 ? '\n' : ' ';
	}
	grouped[o - 1] = '\0';
	m.title = "CA created";
	tui_fmt(m.heading, sizeof(m.heading), "%s The CA is created", tui_check(t));
	tui_fmt(m.text, sizeof(m.text),
	        "Subject: %s\nKey: %s, state %s (activate it when the CA goes into service)"
	        "\n\nRoot certificate SHA-256 fingerprint. Read it aloud, group by group; "
	        "the witnesses write it down:\n\n%s\n\nThe root certificate is %s/root.pem."
	        "%s%s%s%s",
	        t->h->vault->subject, t->h->vault->key_alg, cer_state_name(t->h->vault->state),
	        grouped, t->home, words[0] ? "\nThe key ceremony's signed transcript: " : "",
	        words[0] ? transcript : "", words[0] ? "\nIts SHA-256, to read aloud:\n" : "",
	        words);
	(void)tui_message_open(t, &m);
}

static void
create_yes(struct tui *t, void *ctx)
{
	struct wizard *w = ctx;
	struct tui_job_spec spec;
	char msg[512];
	int r;

	memset(&w->params, 0, sizeof(w->params));
	w->params.home = t->home;
	w->params.subject = w->subject;
	w->params.alg = w->alg;
	w->params.days = w->days;
	w->params.plan = w->plan;
	w->params.now = time(NULL);
	w->params.deliver = tui_job_deliver;
	w->params.passphrase = tui_job_passphrase;
	if ((r = cer_dir_create_parents(t->home)) != 0 || (r = tui_session_new(t, "init", &w->session)) != 0) {
		tui_flash(t, "%s", custos_err_describe(r, msg, sizeof(msg)));
		return;
	}
	w->params.session = w->session; /* the audit log starts here, signed by the new key */
	memset(&spec, 0, sizeof(spec));
	spec.title = "Creating the CA";
	spec.steps[0] = "Check the parameters";
	spec.steps[1] = "Generate the root key and sign the root certificate";
	spec.steps[2] = "Deliver one share card to each custodian";
	spec.steps[3] = "Seal the root key in the vault and write the CA home";
	spec.fn = create_fn;
	spec.ask = create_ask;
	spec.done = created;
	spec.arg = w;
	spec.passphrase_set = 1;
	if (tui_job_start(t, &spec) == 0) {
		tui_job_step(t, 1);
	} else {
		cer_session_free(w->session);
		w->session = NULL;
	}
}

/* The plan as typed, checked whole; then the decision. */
static void
review(struct tui *t, struct wizard *w)
{
	struct tui_confirm c;
	char names[CER_MAX_CUSTODIANS * (CER_NAME_MAX + 16)];
	size_t i, used = 0;
	int r;

	if ((r = build_plan(w, CER_MAX_CUSTODIANS, number(&w->cust[F_THRESHOLD]), &w->plan)) != 0 ||
	    (r = cer_plan_check(&w->plan)) != 0) {
		tui_err_text(r, w->cust[F_THRESHOLD].error, sizeof(w->cust[F_THRESHOLD].error));
		return;
	}
	names[0] = '\0';
	for (i = 0; i < w->ncust && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s%s",
		                         i ? ", " : "", w->plan.groups[0].members[i],
		                         w->plan.groups[0].passphrase[i] ? " (passphrase)" : "");
	memset(&c, 0, sizeof(c));
	c.title = "New CA: review";
	tui_fmt(c.heading, sizeof(c.heading), "Step 3 of 3: create this CA?");
	tui_fmt(c.text, sizeof(c.text),
	        "Subject:     %s\nKey:         %s, generated now on this laptop\n"
	        "Validity:    %u days (%.1f years) from now\n"
	        "Custodians:  %s\nQuorum:      any %u of the %zu custodians\n"
	        "CA home:     %s\n\n"
	        "All %zu custodians must be here now, each with a blank card and a pen. They "
	        "will be called to the laptop one at a time.",
	        w->subject, ca_alg_name(w->alg), w->days, w->days / 365.25, names,
	        w->plan.groups[0].threshold, w->ncust, t->home, w->ncust);
	c.yes_label = "Create the CA";
	c.no_label = "Back";
	c.yes = create_yes;
	c.ctx = w;
	(void)tui_confirm_open(t, &c);
}
