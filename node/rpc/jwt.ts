/**
 * Engine API authentication (execution-apis `engine/authentication.md`): HS256 JWTs with an `iat` claim
 * within ±60 s of now. Everything else — `alg: none`, other algorithms, a missing or non-numeric `iat`, a bad
 * signature — is rejected with a short reason the server returns in its HTTP 401 body.
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { equalBytes } from "../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";

/** The spec's allowed clock drift, in seconds. */
export const JWT_MAX_IAT_DRIFT = 60;

const enc = new TextEncoder();
const dec = new TextDecoder();

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

function unb64url(s: string): Uint8Array | undefined {
  if (!B64URL_RE.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, "base64url"));
}

/** Signs a token; `alg` other than HS256 only exists so tests can prove such tokens are refused. */
export function signJwt(
  secret: Uint8Array,
  claims: Record<string, unknown>,
  alg: "HS256" | "HS384" | "none" = "HS256",
): string {
  const head = b64url(enc.encode(JSON.stringify({ alg, typ: "JWT" })));
  const body = b64url(enc.encode(JSON.stringify(claims)));
  const input = enc.encode(`${head}.${body}`);
  if (alg === "none") return `${head}.${body}.`;
  // HS384 is produced with SHA-256 here too: the verifier must refuse it on the header alone.
  return `${head}.${body}.${b64url(hmac(sha256, secret, input))}`;
}

/** A fresh token for now (or now + `driftSeconds`). */
export function engineToken(secret: Uint8Array, driftSeconds = 0): string {
  return signJwt(secret, { iat: Math.floor(Date.now() / 1000) + driftSeconds });
}

/** Verifies a bearer token. Returns null when valid, else the reason for the 401. */
export function verifyJwt(secret: Uint8Array, token: string, nowSeconds = Date.now() / 1000): string | null {
  const parts = token.split(".");
  if (parts.length !== 3) return "malformed token";
  const [h, b, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(dec.decode(unb64url(h) ?? new Uint8Array([0])));
    claims = JSON.parse(dec.decode(unb64url(b) ?? new Uint8Array([0])));
  } catch {
    return "malformed token";
  }
  if (typeof header !== "object" || header === null || typeof claims !== "object" || claims === null)
    return "malformed token";
  const alg = (header as { alg?: unknown }).alg;
  if (alg !== "HS256") return `unsupported algorithm ${JSON.stringify(alg)}`;
  const sig = unb64url(s);
  const expected = hmac(sha256, secret, enc.encode(`${h}.${b}`));
  if (sig === undefined || !equalBytes(sig, expected)) return "invalid signature";
  const c = claims as { iat?: unknown; exp?: unknown };
  if (c.iat === undefined) return "missing issued-at";
  if (typeof c.iat !== "number" || !Number.isFinite(c.iat)) return "non-numeric issued-at";
  if (nowSeconds - c.iat > JWT_MAX_IAT_DRIFT) return "stale token";
  if (c.iat - nowSeconds > JWT_MAX_IAT_DRIFT) return "future token";
  if (c.exp !== undefined && (typeof c.exp !== "number" || c.exp < nowSeconds)) return "expired token";
  return null;
}

/** Parses a secret file's text: 64 hex digits, optional 0x, surrounding whitespace trimmed. */
export function parseJwtSecret(text: string, source = "jwt secret"): Uint8Array {
  let t = text.trim();
  if (t.startsWith("0x") || t.startsWith("0X")) t = t.slice(2);
  if (!/^[0-9a-fA-F]{64}$/.test(t))
    throw new FastEvmError(
      ErrorCode.RPC_JWT_SECRET,
      `${source}: expected 64 hex characters (a 32-byte key, optional 0x), got ${t.length} characters`,
    );
  return new Uint8Array(Buffer.from(t, "hex"));
}

/** Reads `--authrpc.jwtsecret FILE`; an unreadable or malformed file aborts start-up. */
export function readJwtSecret(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new FastEvmError(
      ErrorCode.RPC_JWT_SECRET,
      `cannot read jwt secret ${path}: ${(e as Error).message}`,
    );
  }
  return parseJwtSecret(text, path);
}

/**
 * A warning when the secret file is readable or writable by group or others (reliability row 40: geth
 * writes 0600); undefined when its mode is tight or it cannot be read.
 */
export function jwtSecretPermissionWarning(path: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  return `jwt secret ${path} has mode 0${mode.toString(8)}: others can read it (chmod 600)`;
}

/** The datadir's own secret (`jwt.hex`, mode 0600), created on first use. */
export function loadOrCreateJwtSecret(path: string): { secret: Uint8Array; created: boolean } {
  if (existsSync(path)) return { secret: readJwtSecret(path), created: false };
  const secret = randomBytes(32);
  writeFileSync(path, `${bytesToHex(secret)}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return { secret, created: true };
}
