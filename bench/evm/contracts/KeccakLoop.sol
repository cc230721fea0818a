// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Hash chain: keccak256 over a growing 64-byte state.
contract KeccakLoop {
    function run(uint256 n) external pure returns (bytes32 h) {
        h = bytes32(n);
        for (uint256 i = 0; i < n; i++) {
            h = keccak256(abi.encodePacked(h, i));
        }
    }
}
