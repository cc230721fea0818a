/**
 * A small language for writing DAGs in committer tests, one line per round:
 *
 *   R<round>: <group> ; <group> ; …        blank lines and `#` comments are ignored
 *   <group>     := <authors> [ "->" <ancestors> ]        no arrow means "-> *"
 *   <authors>   := "*" | <author> ( "," <author> )*      authors are letters A, B, C, …
 *   <ancestors> := "*" [ "-" "[" <refs> "]" ] | "[" <refs> "]"
 *   <ref>       := <author><round><primes>               B1 = slot (1, B); D2' = second version of (2, D)
 *
 * `*` as ancestors is the first version of every block at round−1; `* - [B1]` is the same without B1.
 * A primed author (`D'`) adds another, equivocating, version of its slot: `D` then `D'` then `D''`.
 * The author's own previous block always goes first: the listed one, else its latest block below the
 * round (a weak link), so every built block passes the verifier's "own block first" rule.
 *
 * Example: leader B1 undecided because C and D blame it at round 2:
 *   R1: *
 *   R2: A,B -> * ; C,D -> * - [B1]
 *   R3: *
 */
import type { VerifiedBlock } from "../../../node/consensus/mysticeti/block.ts";
import { DagBuilder } from "./dagBuilder.ts";
import type { TestCommittee } from "./testCommittee.ts";

function parseAuthor(s: string, n: number): { author: number; version: number } {
  const m = /^([A-Z])('*)$/.exec(s.trim());
  if (m === null) throw new Error(`DAG language: bad author ${JSON.stringify(s)}`);
  const author = m[1]!.charCodeAt(0) - 65;
  if (author >= n) throw new Error(`DAG language: author ${m[1]} not in a committee of ${n}`);
  return { author, version: m[2]!.length };
}

function parseRef(s: string, b: DagBuilder): VerifiedBlock {
  const m = /^([A-Z])(\d+)('*)$/.exec(s.trim());
  if (m === null) throw new Error(`DAG language: bad block reference ${JSON.stringify(s)}`);
  const block = b.get(Number(m[2]), m[1]!.charCodeAt(0) - 65, m[3]!.length);
  if (block === undefined) throw new Error(`DAG language: ${s.trim()} does not exist yet`);
  return block;
}

function parseRefList(s: string, b: DagBuilder): VerifiedBlock[] {
  const m = /^\[(.*)\]$/.exec(s.trim());
  if (m === null) throw new Error(`DAG language: expected [refs], got ${JSON.stringify(s)}`);
  return m[1]!.trim() === "" ? [] : m[1]!.split(",").map((r) => parseRef(r, b));
}

function parseAncestors(s: string, round: number, b: DagBuilder): VerifiedBlock[] {
  const t = s.trim();
  if (t.startsWith("[")) return parseRefList(t, b);
  if (!t.startsWith("*")) throw new Error(`DAG language: bad ancestors ${JSON.stringify(s)}`);
  const rest = t.slice(1).trim();
  const all = b.round(round - 1);
  if (rest === "") return all;
  if (!rest.startsWith("-"))
    throw new Error(`DAG language: expected "- [refs]" after *, got ${JSON.stringify(rest)}`);
  const excluded = new Set(parseRefList(rest.slice(1), b).map((x) => x.key));
  return all.filter((x) => !excluded.has(x.key));
}

/** Builds the DAG described by `text` on top of `builder` (or a fresh one); returns the builder. */
export function parseDag(text: string, t: TestCommittee, builder = new DagBuilder(t)): DagBuilder {
  const n = t.committee.size;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const m = /^R(\d+)\s*:(.*)$/.exec(line);
    if (m === null) throw new Error(`DAG language: expected "R<round>: …", got ${JSON.stringify(line)}`);
    const round = Number(m[1]);
    if (round < 1) throw new Error("DAG language: rounds start at 1 (round 0 is genesis)");
    for (const group of m[2]!.split(";")) {
      const [authorsText, ancestorsText = "*"] = group.split("->");
      if (authorsText === undefined || authorsText.trim() === "")
        throw new Error(`DAG language: empty group in ${line}`);
      const authors =
        authorsText.trim() === "*"
          ? Array.from({ length: n }, (_, author) => ({ author, version: 0 }))
          : authorsText.split(",").map((a) => parseAuthor(a, n));
      // resolve ancestors before adding any block of this group, so "*" never sees blocks of this round
      const ancestors = parseAncestors(ancestorsText, round, builder);
      for (const { author, version } of authors) {
        const existing = builder.get(round, author, version - 1);
        if (version > 0 && existing === undefined)
          throw new Error(`DAG language: ${line}: prime without earlier version`);
        if (builder.get(round, author, version) !== undefined)
          throw new Error(`DAG language: ${line}: slot exists`);
        builder.add(round, author, ancestors);
      }
    }
  }
  return builder;
}
