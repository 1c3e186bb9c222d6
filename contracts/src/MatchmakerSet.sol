// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IMatchmakerSet} from "./IMatchmakerSet.sol";

/// @title MatchmakerSet
/// @notice The set of matchmaker operators and the quorum threshold (M of N), managed by an owner.
/// @dev The owner's powers are bounded so that it cannot take the quorum over unseen:
///      - every change after deployment is proposed, announced in CHANGE_PROPOSED with the time it becomes
///        executable, and takes effect no earlier than `changeDelaySeconds` later, so operators and users see it
///        coming and can leave; the owner may cancel it until then, and anyone may execute it once due (a timelock
///        protects by its delay, not by who pulls the trigger);
///      - the threshold is always a strict majority of the operators (threshold * 2 > operators), so adding
///        operators, the owner's own key included, never lowers the share of operators a match needs;
///      - ownership moves in two steps (Ownable2Step): the new owner must accept.
contract MatchmakerSet is IMatchmakerSet, Ownable2Step {
    /// @notice What a proposed change does; each one also states the threshold the set has afterwards.
    enum ChangeKind {
        AddOperator,
        RemoveOperator,
        SetThreshold
    }

    enum ChangeState {
        None,
        Pending,
        Executed,
        Cancelled
    }

    /// @notice A proposed change to the set. `account` is zero for SetThreshold.
    struct Change {
        ChangeKind kind;
        ChangeState state;
        address account;
        uint64 executableAt;
        uint256 threshold;
    }

    error AlreadyOperator(address account);
    error NotAnOperator(address account);
    error InvalidThreshold(uint256 threshold, uint256 operatorCount);
    error ThresholdBelowMajority(uint256 threshold, uint256 operatorCount);
    error ZeroAddress();
    error ChangeNotPending(uint256 changeId, ChangeState state);
    error ChangeNotDue(uint256 changeId, uint64 executableAt);

    event OPERATOR_ADDED(address indexed account);
    event OPERATOR_REMOVED(address indexed account);
    event THRESHOLD_CHANGED(uint256 threshold);
    event CHANGE_PROPOSED(
        uint256 indexed changeId, ChangeKind kind, address indexed account, uint256 threshold, uint64 executableAt
    );
    event CHANGE_EXECUTED(uint256 indexed changeId);
    event CHANGE_CANCELLED(uint256 indexed changeId);

    uint64 private immutable _changeDelaySeconds;

    mapping(address => bool) private _isOperator;
    address[] private _operators;
    uint256 private _threshold;
    mapping(uint256 => Change) private _changes;
    uint256 private _changeCount;

    /// @param initialOperators the first operators; they and the threshold take effect at once
    /// @param initialThreshold signatures a match needs: a strict majority of the operators, at most all of them
    /// @param changeDelaySeconds how long every later change waits between its proposal and its execution
    constructor(address[] memory initialOperators, uint256 initialThreshold, uint64 changeDelaySeconds)
        Ownable(msg.sender)
    {
        _changeDelaySeconds = changeDelaySeconds;
        for (uint256 i = 0; i < initialOperators.length; i++) {
            _add(initialOperators[i]);
        }
        _checkThreshold(initialThreshold, _operators.length);
        _setThreshold(initialThreshold);
    }

    /// @inheritdoc IMatchmakerSet
    function isOperator(address account) external view returns (bool) {
        return _isOperator[account];
    }

    /// @inheritdoc IMatchmakerSet
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice All current operators, in the order they were added (removal swaps the last one in).
    function operators() external view returns (address[] memory) {
        return _operators;
    }

    /// @notice Seconds between a change's proposal and the earliest time it can be executed; fixed at deployment.
    function changeDelaySeconds() external view returns (uint64) {
        return _changeDelaySeconds;
    }

    /// @notice How many changes were ever proposed; ids run from 1 to this.
    function changeCount() external view returns (uint256) {
        return _changeCount;
    }

    /// @notice The change with id `changeId`; state None when there is none.
    function getChange(uint256 changeId) external view returns (Change memory) {
        return _changes[changeId];
    }

    /// @notice Proposes admitting `account` with `newThreshold` afterwards. Owner only.
    /// @param account the operator's signing address
    /// @param newThreshold the threshold once added: a strict majority of the operators then, at most all of them
    /// @return changeId the proposal's id, for execute and cancel
    function proposeAddOperator(address account, uint256 newThreshold) external onlyOwner returns (uint256 changeId) {
        _checkAdd(account, newThreshold);
        return _propose(ChangeKind.AddOperator, account, newThreshold);
    }

    /// @notice Proposes removing `account` with `newThreshold` afterwards. Owner only.
    /// @param account the operator's signing address
    /// @param newThreshold the threshold once removed: a strict majority of the operators left, at most all of them
    /// @return changeId the proposal's id, for execute and cancel
    function proposeRemoveOperator(address account, uint256 newThreshold)
        external
        onlyOwner
        returns (uint256 changeId)
    {
        _checkRemove(account, newThreshold);
        return _propose(ChangeKind.RemoveOperator, account, newThreshold);
    }

    /// @notice Proposes a new threshold. Owner only.
    /// @param newThreshold a strict majority of the operators, at most all of them
    /// @return changeId the proposal's id, for execute and cancel
    function proposeThreshold(uint256 newThreshold) external onlyOwner returns (uint256 changeId) {
        _checkThreshold(newThreshold, _operators.length);
        return _propose(ChangeKind.SetThreshold, address(0), newThreshold);
    }

    /// @notice Carries out a pending change whose delay has passed. Anyone may call. The change is checked again
    ///         against the set as it is now: one that an earlier change made invalid reverts (and can be cancelled).
    /// @param changeId the proposal's id
    function execute(uint256 changeId) external {
        Change storage change = _pending(changeId);
        if (block.timestamp < change.executableAt) revert ChangeNotDue(changeId, change.executableAt);
        address account = change.account;
        uint256 newThreshold = change.threshold;
        if (change.kind == ChangeKind.AddOperator) {
            _checkAdd(account, newThreshold);
            _add(account);
        } else if (change.kind == ChangeKind.RemoveOperator) {
            _checkRemove(account, newThreshold);
            _remove(account);
        } else {
            _checkThreshold(newThreshold, _operators.length);
        }
        change.state = ChangeState.Executed;
        if (newThreshold != _threshold) _setThreshold(newThreshold);
        emit CHANGE_EXECUTED(changeId);
    }

    /// @notice Withdraws a pending change. Owner only.
    /// @param changeId the proposal's id
    function cancel(uint256 changeId) external onlyOwner {
        _pending(changeId).state = ChangeState.Cancelled;
        emit CHANGE_CANCELLED(changeId);
    }

    function _propose(ChangeKind kind, address account, uint256 newThreshold) private returns (uint256 changeId) {
        changeId = ++_changeCount;
        uint64 executableAt = uint64(block.timestamp) + _changeDelaySeconds;
        _changes[changeId] = Change(kind, ChangeState.Pending, account, executableAt, newThreshold);
        emit CHANGE_PROPOSED(changeId, kind, account, newThreshold, executableAt);
    }

    function _pending(uint256 changeId) private view returns (Change storage change) {
        change = _changes[changeId];
        if (change.state != ChangeState.Pending) revert ChangeNotPending(changeId, change.state);
    }

    function _checkAdd(address account, uint256 newThreshold) private view {
        if (account == address(0)) revert ZeroAddress();
        if (_isOperator[account]) revert AlreadyOperator(account);
        _checkThreshold(newThreshold, _operators.length + 1);
    }

    function _checkRemove(address account, uint256 newThreshold) private view {
        if (!_isOperator[account]) revert NotAnOperator(account);
        _checkThreshold(newThreshold, _operators.length - 1);
    }

    /// @dev The floor: below a strict majority, a minority of the operators (say an owner that added its own key)
    ///      could match alone.
    function _checkThreshold(uint256 newThreshold, uint256 operatorCount) private pure {
        if (newThreshold > operatorCount) revert InvalidThreshold(newThreshold, operatorCount);
        if (newThreshold * 2 <= operatorCount) revert ThresholdBelowMajority(newThreshold, operatorCount);
    }

    function _add(address account) private {
        if (account == address(0)) revert ZeroAddress();
        if (_isOperator[account]) revert AlreadyOperator(account);
        _isOperator[account] = true;
        _operators.push(account);
        emit OPERATOR_ADDED(account);
    }

    function _remove(address account) private {
        _isOperator[account] = false;
        for (uint256 i = 0; i < _operators.length; i++) {
            if (_operators[i] == account) {
                _operators[i] = _operators[_operators.length - 1];
                _operators.pop();
                break;
            }
        }
        emit OPERATOR_REMOVED(account);
    }

    function _setThreshold(uint256 newThreshold) private {
        _threshold = newThreshold;
        emit THRESHOLD_CHANGED(newThreshold);
    }
}
