// SPDX-License-Identifier: BSD-2-Clause
/*
 * What ikdctl shows of IKEv1: after phase 1 and a Quick Mode between two
 * engines, `show ike` and `show child` (text and JSON) list the ISAKMP SA
 * and the IPsec SA pair with their algorithms, cookies and SPIs; after
 * the ISAKMP SA is gone the pair is still listed, under its remote's
 * name, as racoon's SAs outlive phase 1.
 */
#include "ikev1_qm_world.c"

#include <jansson.h>

#include "../../ikd/ctl.h"

static char *show(struct peer *p, struct world *w, bool child, bool json)
{
	struct ikd_ctl_env env = { .engine = p->e, .kernel = &p->k->base,
				   .timers = &w->t.ops };
	struct ikd_ctl_out o;
	char *s;

	ikd_ctl_out_init(&o);
	if (child)
		ikd_ctl_show_child(&env, json, 0, &o);
	else
		ikd_ctl_show_ike(&env, json, &o);
	assert_false(o.truncated || o.failed);
	s = strdup(o.buf);
	ikd_ctl_out_free(&o);
	return s;
}

static json_t *show_json(struct peer *p, struct world *w, bool child,
			 const char *member)
{
	char *s = show(p, w, child, true);
	json_error_t err;
	json_t *j, *list;

	assert_memory_equal(s, "OK\n", 3);
	j = json_loads(s + 3, 0, &err);
	if (!j)
		fail_msg("not JSON (%s): %s", err.text, s);
	free(s);
	list = json_object_get(j, member);
	assert_true(json_is_array(list));
	json_incref(list);
	json_decref(j);
	return list;
}

static void assert_has(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("no '%s' in:\n%s", want, s);
}

static void test_show_isakmp_and_ipsec_sa(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;
	char cky[17], spi[16];
	json_t *l, *v;
	char *s;

	(void)state;
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->a.k->nsa, 2);

	s = show(&w->a, w, false, false);
	assert_has(s, "IKE SA \"");
	assert_has(s, "established, initiator, IKEv1\n");
	assert_has(s, "1 child SA\n");
	free(s);
	l = show_json(&w->b, w, false, "ike_sas");
	assert_int_equal(json_array_size(l), 1);
	v = json_array_get(l, 0);
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 1);
	assert_false(json_is_true(json_object_get(v, "initiator")));
	assert_string_equal(json_string_value(json_object_get(v, "state")),
			    "established");
	assert_non_null(json_string_value(json_object_get(v, "encr")));
	assert_non_null(json_string_value(json_object_get(v, "prf")));
	assert_non_null(json_string_value(json_object_get(v, "dh")));
	/* The cookies, as IKEv2's SPIs are shown. */
	for (int i = 0; i < IKEV1_COOKIE_LEN; i++)
		snprintf(cky + 2 * i, 3, "%02x", the_sa(&w->b)->cky_i[i]);
	assert_string_equal(json_string_value(json_object_get(v, "spi_i")), cky);
	json_decref(l);

	s = show(&w->a, w, true, false);
	assert_has(s, "CHILD SA \"");
	assert_has(s, ": esp/tunnel reqid 16384, installed, IKE SA ");
	snprintf(spi, sizeof(spi), "0x%08x", ntohl(w->a.e->v1_children->spi_in));
	assert_has(s, spi);
	free(s);
	l = show_json(&w->b, w, true, "child_sas");
	assert_int_equal(json_array_size(l), 1);
	v = json_array_get(l, 0);
	assert_string_equal(json_string_value(json_object_get(v, "proto")), "esp");
	assert_int_equal(json_integer_value(json_object_get(v, "reqid")), 200);
	assert_string_equal(json_string_value(json_object_get(v, "ike_spi_i")),
			    cky);
	assert_non_null(json_string_value(json_object_get(v, "encr")));
	assert_non_null(json_string_value(json_object_get(v, "integ")));
	assert_int_equal(json_integer_value(json_object_get(v, "spi_in")),
			 ntohl(w->b.e->v1_children->spi_in));
	assert_true(json_integer_value(json_object_get(v, "hard_lifetime")) > 0);
	json_decref(l);

	/* Phase 1 gone (its lifetime, or a DELETE): the pair stays. */
	ikev1_sa_destroy((struct ikev1_sa *)the_sa(&w->a));
	s = show(&w->a, w, false, false);
	assert_has(s, "no IKE SA\n");
	free(s);
	s = show(&w->a, w, true, false);
	assert_has(s, ": esp/tunnel reqid 16384, installed, IKE SA ");
	free(s);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_isakmp_and_ipsec_sa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
