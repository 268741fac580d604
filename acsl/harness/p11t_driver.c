/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for p11t: every template builder on unknown algorithms, sizes, flags and
 * lengths (the accepted ones and every kind of refusal). */
#include "harness.h"
#include "p11t.h"

void harness_p11t(void)
{
    static p11t_pair pair;
    static p11t_secret secret;
    static char id[HARNESS_MAX], label[HARNESS_MAX], seed[HARNESS_MAX];
    size_t id_len = harness_len(0, P11T_ID_MAX + 1);
    size_t label_len = harness_len(0, P11T_LABEL_MAX + 1);
    size_t seed_len = harness_len(0, P11T_SECRET_MAX_LEN + 1);
    CK_KEY_TYPE type = (CK_KEY_TYPE)Frama_C_unsigned_long_interval(0, CKK_AES + 1);
    CK_ULONG bits = (CK_ULONG)Frama_C_unsigned_long_interval(0, 8192);
    unsigned flags = Frama_C_unsigned_int_interval(0, 8);

    harness_bytes(id, sizeof id);
    harness_bytes(label, sizeof label);
    harness_bytes(seed, sizeof seed);
    (void)p11t_pair_build(&pair, type, bits, flags, id, id_len, label, label_len);
    (void)p11t_mac_build(&secret, bits, flags, id, id_len, label, label_len);
    (void)p11t_seed_build(&secret, seed, seed_len, flags, id, id_len, label, label_len);
    (void)p11t_kek_build(&secret, flags, id, id_len, label, label_len);
}
