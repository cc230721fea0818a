/*
 * The sender-recovery addon: ECDSA public-key recovery for many signatures in one call, over the system's
 * libsecp256k1 (Debian's libsecp256k1-dev; 0.2 or later has the safegcd inversions, which make a recovery
 * about a quarter cheaper than the library bundled in the `secp256k1` npm package). Built by
 * native-build/build-secp.sh into native/build/recover.node; node/core/crypto/secp256k1.ts loads it when
 * present and falls back to the npm package otherwise.
 *
 *   recover(records: Uint8Array, out: Uint8Array): number
 *
 * `records` holds n records of 97 bytes: message hash (32) || r (32) || s (32) || recovery id (1).
 * For each, `out` receives 65 bytes: the uncompressed public key (0x04 || x || y), or 65 zero bytes when no
 * point recovers (r or s out of range, an x with no point, recovery id above 3). Returns how many failed.
 * The range and low-s rules of a transaction are the caller's; this only recovers.
 */
#include <node_api.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>

#define RECORD_BYTES 97
#define KEY_BYTES 65

static void destroy_context(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  secp256k1_context_destroy((secp256k1_context*)data);
}

static napi_value throw_type(napi_env env, const char* message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* The bytes of a Uint8Array argument, or 0 when it is not one. */
static int bytes_of(napi_env env, napi_value v, unsigned char** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void* base = NULL;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, v, &type, length, &base, &buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = (unsigned char*)base;
  return 1;
}

static napi_value recover(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void* instance = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2)
    return throw_type(env, "recover(records, out) takes two Uint8Arrays");
  if (napi_get_instance_data(env, &instance) != napi_ok || instance == NULL)
    return throw_type(env, "recover: the addon has no secp256k1 context");
  const secp256k1_context* ctx = (const secp256k1_context*)instance;
  unsigned char* records = NULL;
  unsigned char* out = NULL;
  size_t records_length = 0;
  size_t out_length = 0;
  if (!bytes_of(env, argv[0], &records, &records_length) || !bytes_of(env, argv[1], &out, &out_length))
    return throw_type(env, "recover(records, out) takes two Uint8Arrays");
  if (records_length % RECORD_BYTES != 0)
    return throw_type(env, "recover: records must be a whole number of 97-byte records");
  size_t n = records_length / RECORD_BYTES;
  if (out_length < n * KEY_BYTES) return throw_type(env, "recover: out must hold 65 bytes per record");
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    const unsigned char* record = records + i * RECORD_BYTES;
    unsigned char* key = out + i * KEY_BYTES;
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pub;
    size_t key_length = KEY_BYTES;
    int recid = record[96];
    if (recid > 3 || !secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, record + 32, recid) ||
        !secp256k1_ecdsa_recover(ctx, &pub, &sig, record) ||
        !secp256k1_ec_pubkey_serialize(ctx, key, &key_length, &pub, SECP256K1_EC_UNCOMPRESSED)) {
      memset(key, 0, KEY_BYTES);
      failed++;
    }
  }
  napi_value result;
  napi_create_int32(env, failed, &result);
  return result;
}

NAPI_MODULE_INIT() {
  /* one context per Node environment (the main thread and each worker), destroyed with it */
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (ctx == NULL || napi_set_instance_data(env, ctx, destroy_context, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "recover: cannot create a secp256k1 context");
    return NULL;
  }
  napi_value fn;
  if (napi_create_function(env, "recover", NAPI_AUTO_LENGTH, recover, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "recover", fn) != napi_ok)
    return NULL;
  return exports;
}
