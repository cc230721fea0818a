// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// MULMOD/ADDMOD by a 256-bit modulus that changes every step (no fixed field, unlike EcMul).
contract MulmodLoop {
    function run(uint256 n) external pure returns (uint256 acc) {
        uint256 m = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
        uint256 x = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798;
        acc = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8;
        unchecked {
            for (uint256 i = 0; i < n; i++) {
                acc = mulmod(acc, x, m);
                x = addmod(mulmod(x, x, m), acc, m);
                acc = mulmod(acc, acc ^ x, m - (i << 7));
                m = m - (acc & 0xffff) - 1;
            }
        }
    }
}
