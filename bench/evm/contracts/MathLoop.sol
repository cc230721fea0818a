// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// 256-bit arithmetic: mulmod/addmod chains, division and exponentiation in a loop.
contract MathLoop {
    function run(uint256 n) external pure returns (uint256 acc) {
        uint256 p = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f;
        acc = 0x1234567890abcdef;
        uint256 x = 0xdeadbeefcafebabe1234567890abcdef0fedcba987654321;
        for (uint256 i = 0; i < n; i++) {
            acc = mulmod(acc, x, p);
            x = addmod(x, acc ^ i, p);
            unchecked {
                acc = acc + (x / (i | 1)) + (x % 0xffffffffffff);
                acc = acc * 0x9e3779b97f4a7c15 + (acc >> 7);
            }
        }
    }
}
