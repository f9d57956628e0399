/*
 * cer_sign: see the header.
 */
#include "ceremony/cer_sign.h"

int
cer_revoke(struct cer_home *h, struct cer_db *db, const uint8_t serial[CER_SERIAL_LEN],
           enum cer_reason reason, time_t now)
{
	enum cer_key_state s = h->vault->state;
	int r;

	if (s != CER_STATE_ACTIVE && s != CER_STATE_DEACTIVATED && s != CER_STATE_COMPROMISED)
		return custos_err_set(CUSTOS_ESTATE, "revocations are recorded only while the key is "
		                                     "active, deactivated or compromised (it is %s)",
		                      cer_state_name(s));
	if ((r = cer_db_begin(db)) != 0)
		return r;
	if ((r = cer_db_revoke(db, serial, (int64_t)now, reason)) != 0) {
		cer_db_rollback(db);
		return r;
	}
	return cer_db_commit(db);
}
