/**
 * Hex-prefix ("compact") encoding of a nibble path (Yellow Paper, appendix C): the first nibble carries the
 * leaf flag (2) and the odd-length flag (1); an even path gets a zero pad nibble after the flag nibble.
 */
export function hexPrefixEncode(
  nibbles: ArrayLike<number>,
  start: number,
  end: number,
  leaf: boolean,
): Uint8Array {
  const len = end - start;
  const odd = (len & 1) === 1;
  const out = new Uint8Array((len >> 1) + 1);
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0);
  let i = start;
  if (odd) {
    out[0] = (flag << 4) | nibbles[i++]!;
  } else {
    out[0] = flag << 4;
  }
  for (let o = 1; i < end; o++, i += 2) out[o] = (nibbles[i]! << 4) | nibbles[i + 1]!;
  return out;
}

/** Bytes → one nibble per element, high nibble first. */
export function bytesToNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 15;
  }
  return out;
}
