/** Public surface of the transaction domain (models, codecs, hashing, recovery, static checks). */
export { kzgToVersionedHash, validateBlobSidecar } from "./blobSidecar.ts";
export {
  chainIdFromV,
  decodePooledTransaction,
  decodeTransaction,
  decodeTransactionFromBodyItem,
} from "./decode.ts";
export {
  encodeSigningPayload,
  encodeTransaction,
  encodeTransactionForBody,
  transactionToBodyItem,
} from "./encode.ts";
export { signingHash, transactionHash } from "./hash.ts";
export * from "./intrinsicGas.ts";
export { checkSignatureValues, type RecoverOptions, recoverSender, recoverSenders } from "./sender.ts";
export { signTransaction, type UnsignedTransaction } from "./sign.ts";
export * from "./types.ts";
export { BLOB_VERSION_KZG, MAX_BLOBS_PER_TX, type ValidationRules, validateTransaction } from "./validate.ts";
