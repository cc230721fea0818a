// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// ERC-20 style balances: n transfers among 16 holders, with allowance checks and Transfer events.
contract Erc20Loop {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    event Transfer(address indexed from, address indexed to, uint256 value);

    function transferFrom(address from, address to, uint256 value) internal {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - value;
        uint256 bal = balanceOf[from];
        require(bal >= value, "balance");
        unchecked {
            balanceOf[from] = bal - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }

    function run(uint256 n) external returns (uint256) {
        for (uint160 h = 1; h <= 16; h++) {
            balanceOf[address(h)] = 1e24;
            allowance[address(h)][msg.sender] = type(uint256).max;
        }
        for (uint256 i = 0; i < n; i++) {
            transferFrom(address(uint160(i % 16 + 1)), address(uint160((i * 7) % 16 + 1)), i + 1);
        }
        return balanceOf[address(1)];
    }
}
