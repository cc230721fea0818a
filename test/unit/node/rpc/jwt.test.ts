/** Engine API JWTs: HS256 only, iat within ±60 s, and the secret file format (64 hex, 0x optional, 0600). */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import {
  loadOrCreateJwtSecret,
  parseJwtSecret,
  readJwtSecret,
  signJwt,
  verifyJwt,
} from "../../../../node/rpc/jwt.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const secret = new Uint8Array(32).fill(0x73);
const now = 1_700_000_000;

describe("verifyJwt", () => {
  it("accepts HS256 with iat within 60 s either way", () => {
    for (const d of [0, 59, -59, 60, -60])
      expect(verifyJwt(secret, signJwt(secret, { iat: now + d }), now)).toBeNull();
    expect(verifyJwt(secret, signJwt(secret, { iat: now, id: "cl", clv: "1", other: 1 }), now)).toBeNull();
  });

  it("rejects stale, future, missing and non-numeric iat", () => {
    expect(verifyJwt(secret, signJwt(secret, { iat: now - 61 }), now)).toBe("stale token");
    expect(verifyJwt(secret, signJwt(secret, { iat: now + 61 }), now)).toBe("future token");
    expect(verifyJwt(secret, signJwt(secret, {}), now)).toBe("missing issued-at");
    expect(verifyJwt(secret, signJwt(secret, { iat: String(now) }), now)).toBe("non-numeric issued-at");
    expect(verifyJwt(secret, signJwt(secret, { iat: now, exp: now - 1 }), now)).toBe("expired token");
  });

  it("rejects alg none, other algorithms, a wrong secret and malformed tokens", () => {
    expect(verifyJwt(secret, signJwt(secret, { iat: now }, "none"), now)).toMatch(/unsupported algorithm/);
    expect(verifyJwt(secret, signJwt(secret, { iat: now }, "HS384"), now)).toMatch(/unsupported algorithm/);
    expect(verifyJwt(secret, signJwt(new Uint8Array(32).fill(1), { iat: now }), now)).toBe(
      "invalid signature",
    );
    for (const t of ["", "a.b", "a.b.c.d", "!!.??.**"]) expect(verifyJwt(secret, t, now)).not.toBeNull();
    const [h, , s] = signJwt(secret, { iat: now }).split(".");
    const forged = Buffer.from(JSON.stringify({ iat: now + 1 })).toString("base64url");
    expect(verifyJwt(secret, `${h}.${forged}.${s}`, now)).toBe("invalid signature");
  });
});

describe("jwt secret files", () => {
  it("parses 64 hex chars with optional 0x and surrounding whitespace", () => {
    const hex = "73".repeat(32);
    for (const t of [hex, `0x${hex}`, `  0x${hex}\n`, hex.toUpperCase()])
      expect(parseJwtSecret(t)).toEqual(secret);
  });

  it("refuses anything else with RPC_JWT_SECRET", () => {
    for (const t of [
      "",
      "73".repeat(31),
      "73".repeat(33),
      `${"73".repeat(31)}zz`,
      `0x0x${"73".repeat(32)}`,
    ]) {
      let code: string | undefined;
      try {
        parseJwtSecret(t);
      } catch (e) {
        if (isFastEvmError(e)) code = e.code;
      }
      expect(code).toBe("RPC_JWT_SECRET");
    }
    expect(() => readJwtSecret("/nonexistent/jwt.hex")).toThrow(/cannot read/);
  });

  it("generates a 0600 secret once and reads it back", () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, "jwt.hex");
      const first = loadOrCreateJwtSecret(path);
      expect(first.created).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, "utf8")).toMatch(/^0x[0-9a-f]{64}\n$/);
      const again = loadOrCreateJwtSecret(path);
      expect(again).toEqual({ secret: first.secret, created: false });
      writeFileSync(path, "short");
      expect(() => loadOrCreateJwtSecret(path)).toThrow(/64 hex/);
    } finally {
      dir.remove();
    }
  });
});
