// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IMatchmakerSet} from "./IMatchmakerSet.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title DeploymentOrder
/// @notice Orders, bids, quorum matches, leases and their escrow.
///         A tenant creates an order and deposits escrow; staked providers bid during the bid window; once it
///         closes, a quorum of matchmaker operators signs (order, bid, seed) and anyone submits the signatures,
///         which creates the lease. The lease pays the provider per second of its hourly price from the time the
///         provider confirms the deployment; either side may close it, and the remainder goes back to the tenant.
///         Money moves by pull: a transaction pays its sender at once, and holds what it owes anyone else for them
///         to claim, so no party's standing with the token can block another's money.
contract DeploymentOrder is EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;
    
    // ---------------------------------------------------------------- errors
    error UnknownOrder(uint256 orderId);
    error UnknownLease(uint256 leaseId);
    error OrderNotOpen(uint256 orderId, OrderState state);
    error LeaseNotActive(uint256 leaseId, LeaseState state);
    error InvalidOrder(string reason);
    error BidWindowClosed(uint256 orderId, uint64 bidWindowEnd);
    error BidWindowOpen(uint256 orderId, uint64 bidWindowEnd);
    error ProviderNotEligible(address provider);
    error BidAlreadySubmitted(uint256 orderId, address provider);
    error BidAboveMaxPrice(uint256 price, uint256 maxPrice);
    error UnknownBid(uint256 orderId, uint256 bidIndex);
    error NotTenant(uint256 id, address caller);
    error NotProvider(uint256 leaseId, address caller);
    error NotLeaseParty(uint256 leaseId, address caller);
    error QuorumNotReached(uint256 signatures, uint256 threshold);
    error SignerNotOperator(address signer);
    error SignaturesNotSorted(address signer, address previous);
    error OrderExpired(uint256 orderId, uint64 matchDeadlineBlock);
    error MatchWindowTooLong(uint64 matchWindowBlocks, uint64 limit);
    error ConfirmWindowTooLong(uint64 confirmWindowSeconds, uint64 limit);
    error CannotCancelYet(uint256 orderId, uint64 matchDeadlineBlock);
    error AlreadyConfirmed(uint256 leaseId);
    error ConfirmDeadlinePassed(uint256 leaseId, uint64 deadline);
    error ConfirmDeadlineNotPassed(uint256 leaseId, uint64 deadline);
    error NothingToWithdraw(uint256 leaseId);
    error LeaseNotExpired(uint256 leaseId);
    error ZeroAmount();
    error OrderCpuAboveLimit(uint256 cpuMilli, uint256 limit);
    error OrderMemoryAboveLimit(uint256 memoryMb, uint256 limit);
    error OrderStorageAboveLimit(uint256 storageMb, uint256 limit);
    error OrderGpuCountAboveLimit(uint256 gpuCount, uint256 limit);
    error OrderDurationAboveLimit(uint256 durationSeconds, uint256 limit);
    error OrderTextTooLong(string field, uint256 length, uint256 limit);
    error OrderPriceAboveLimit(uint256 maxPricePerHour, uint256 limit);
    error EscrowAboveLimit(uint256 amount, uint256 limit);
    error EscrowExhausted(uint256 leaseId);
    error NotADeclineReason(CloseReason reason);
    error NothingToClaim(address account);
    error ZeroAddress();

    // ---------------------------------------------------------------- types
    enum OrderState { None, Open, Matched, Cancelled }
    enum LeaseState { None, Active, Closed, Failed }
    /// @dev Append only: readers decode the event's reason by ordinal.
    enum CloseReason {
        TenantClosed,
        ProviderClosed,
        FundsExhausted,
        DurationEnded,
        DeploymentMissed,
        ManifestNotReceived,
        DeploymentNotReady
    }

    /// @notice What the tenant asks for. Prices are in payment-token base units per hour. `features` are what the
    ///         order needs besides resources and place that some providers lack, one bit each (bits 0-2: Akash storage
    ///         classes beta1-3 of mounted persistent volumes, bit 3: another named class, bits 4-7: the TEE types
    ///         sev-snp, sev-snp-gpu, tdx, tdx-gpu; the rest reserved): the contract only keeps them, and a provider's
    ///         operator does not bid on an order needing what it lacks.
    struct OrderSpec {
        uint32 cpuMilli;
        uint64 memoryMb;
        uint64 storageMb;
        uint32 gpuCount;
        string gpuModel;
        string region;
        string zone;
        bool regionRequired;
        uint256 maxPricePerHour;
        uint64 durationSeconds;
        bytes32 manifestHash;
        uint32 features;
    }

    struct Order {
        address tenant;
        OrderState state;
        uint64 createdBlock;
        uint64 bidWindowEnd;
        uint256 deposit;
        uint256 leaseId;
        bytes32 seed;
    }

    struct Bid {
        address provider;
        uint256 pricePerHour;
        uint64 placedBlock;
    }

    struct Lease {
        uint256 orderId;
        address tenant;
        address provider;
        uint256 pricePerHour;
        LeaseState state;
        uint64 createdAt;
        uint64 confirmDeadline;
        uint64 confirmedAt;
        uint64 endsAt;
        uint256 balance;
        uint256 paid;
    }

    /// @dev How an order is kept: two words written at creation, a third (the seed) at the match. The creation
    ///      block is bidWindowEnd - bidWindowBlocks. The deposit fits in 128 bits (MAX_ESCROW); ids and counts in 64.
    struct OrderRecord {
        address tenant;
        OrderState state;
        uint64 bidWindowEnd;
        uint128 deposit;
        uint64 leaseId;
        uint64 bidCount;
        bytes32 seed;
    }

    /// @dev How a spec is kept: the five numbers in one word, price, flag and features in a second, then the hash
    ///      and the texts (a text under 32 bytes is one word, an empty one none).
    struct SpecRecord {
        uint32 cpuMilli;
        uint64 memoryMb;
        uint64 storageMb;
        uint32 gpuCount;
        uint64 durationSeconds;
        uint128 maxPricePerHour;
        bool regionRequired;
        uint32 features;
        bytes32 manifestHash;
        string gpuModel;
        string region;
        string zone;
    }

    /// @dev A bid, kept under its order and provider (placedBlock is never zero for a placed bid, so it also marks
    ///      "has bid"); the order's bid list maps each index to its provider.
    struct BidRecord {
        uint128 pricePerHour;
        uint64 placedBlock;
    }

    /// @dev How a lease is kept: three words written at the match, a fourth at the confirmation, the fifth as it
    ///      pays. The confirm deadline is createdAt + confirmWindowSeconds. Prices and balances are bounded by
    ///      MAX_PRICE_PER_HOUR and MAX_ESCROW (128 bits); what was paid has a word of its own; an order id fits in
    ///      40 bits (a trillion orders, one transaction each). tenantIndex and
    ///      providerIndex are the lease's places in its parties' active-lease lists, kept in spare bits of words
    ///      the match writes anyway, so that listing and unlisting a lease costs no index word of its own.
    struct LeaseRecord {
        address tenant;
        uint40 orderId;
        LeaseState state;
        uint48 tenantIndex;
        address provider;
        uint64 createdAt;
        uint32 providerIndex;
        uint128 pricePerHour;
        uint128 balance;
        uint64 confirmedAt;
        uint64 endsAt;
        uint256 paid;
    }

    // ---------------------------------------------------------------- events
    event ORDER_CREATED(
        uint256 indexed orderId,
        address indexed tenant,
        uint32 gpuCount,
        string gpuModel,
        string region,
        uint256 maxPricePerHour,
        uint64 bidWindowEnd,
        uint256 deposit
    );
    event BID_SUBMITTED(uint256 indexed orderId, address indexed provider, uint256 bidIndex, uint256 pricePerHour);
    event CREATE_LEASE(
        uint256 indexed leaseId,
        uint256 indexed orderId,
        address indexed provider,
        address tenant,
        uint256 pricePerHour,
        bytes32 seed
    );
    event ORDER_CANCELLED(uint256 indexed orderId, uint256 refund);
    event LEASE_CONFIRMED(uint256 indexed leaseId, address indexed provider, uint64 endsAt);
    event LEASE_TOPPED_UP(uint256 indexed leaseId, uint256 amount, uint256 balance);
    event PAYMENT_WITHDRAWN(uint256 indexed leaseId, address indexed provider, uint256 amount);
    event LEASE_CLOSED(
        uint256 indexed leaseId, address indexed closedBy, CloseReason reason, uint256 paidToProvider, uint256 refunded
    );
    /// @notice `amount` was owed to `account` by a transaction someone else sent; it is held for it to claim.
    event FUNDS_CREDITED(address indexed account, uint256 amount);
    event FUNDS_CLAIMED(address indexed account, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- state
    /// @notice What matchmaker operators sign. `expiresAtBlock` is the order's match deadline (bidWindowEnd +
    ///         matchWindowBlocks): a quorum's signatures are worthless after it, as the order no longer matches.
    bytes32 public constant MATCH_TYPEHASH = keccak256(
        "Match(uint256 orderId,uint256 bidIndex,address provider,uint256 pricePerHour,bytes32 seed,uint64 expiresAtBlock)"
    );
    /// @notice The longest match window: the seed is the bid window's last block hash, which the EVM keeps for 256
    ///         blocks, so every match happens while it is readable and no one can pick another seed.
    uint64 public constant MAX_MATCH_WINDOW_BLOCKS = 255;
    /// @notice The longest confirm window: a lease's deadline, its creation time plus the window, always fits in
    ///         64 bits, so no lease can be created whose confirm, decline, close or report would overflow.
    uint64 public constant MAX_CONFIRM_WINDOW_SECONDS = 30 days;
    /// @notice The most bids getBids returns in one call; read an order's bids page by page (bidCount).
    uint256 public constant MAX_BIDS_PAGE = 500;

    /// @notice Limits on an order's spec: far beyond any one order, and small enough that every reader holds each
    ///         value in a signed integer (CPU and GPUs in 32 bits; memory and storage in 64 bits even as bytes), and
    ///         that the lease's end, timestamp + duration, never overflows. An order past them could stop every
    ///         provider's reader; createOrder refuses it.
    uint256 public constant MAX_CPU_MILLI = 1 << 30;
    uint256 public constant MAX_MEMORY_MB = 1 << 40;
    uint256 public constant MAX_STORAGE_MB = 1 << 40;
    uint256 public constant MAX_GPU_COUNT = 1 << 16;
    uint256 public constant MAX_DURATION_SECONDS = 3650 days;
    uint256 public constant MAX_TEXT_BYTES = 128;
    /// @notice The highest price per hour an order may offer, so the highest a bid may ask, and the most a lease's
    ///         escrow may hold. With durations bounded too, price x elapsed stays below 2^157 and every sum of
    ///         amounts below 2^129: closing, expiring and withdrawing can never overflow and lock the escrow.
    uint256 public constant MAX_PRICE_PER_HOUR = type(uint128).max;
    uint256 public constant MAX_ESCROW = type(uint128).max;

    IERC20 public immutable token;
    ProviderRegistry public immutable registry;
    IMatchmakerSet public immutable matchmakers;
    uint64 public immutable bidWindowBlocks;
    uint64 public immutable matchWindowBlocks;
    uint64 public immutable confirmWindowSeconds;
    uint256 public immutable missedDeploymentSlash;

    uint256 public orderCount;
    uint256 public leaseCount;
    mapping(uint256 => OrderRecord) private _orders;
    mapping(uint256 => SpecRecord) private _specs;
    mapping(uint256 => mapping(uint256 => address)) private _bidders;
    mapping(uint256 => mapping(address => BidRecord)) private _bids;
    mapping(uint256 => LeaseRecord) private _leases;
    mapping(address => uint256[]) private _providerLeases;
    mapping(address => uint256[]) private _tenantLeases;
    mapping(address => uint256) private _claimable;

    /// @param token_ the payment token
    /// @param registry_ the provider registry (this contract must be its slasher)
    /// @param matchmakers_ the matchmaker operator set
    /// @param bidWindowBlocks_ blocks after creation during which bids are taken
    /// @param matchWindowBlocks_ blocks after the bid window in which the order may be matched (at most
    ///        MAX_MATCH_WINDOW_BLOCKS); after them it expires, and its tenant cancels it for the deposit
    /// @param confirmWindowSeconds_ seconds a provider has to confirm a deployment after the lease is created
    /// @param missedDeploymentSlash_ stake taken from a provider that misses that deadline
    constructor(
        IERC20 token_,
        ProviderRegistry registry_,
        IMatchmakerSet matchmakers_,
        uint64 bidWindowBlocks_,
        uint64 matchWindowBlocks_,
        uint64 confirmWindowSeconds_,
        uint256 missedDeploymentSlash_
    ) EIP712("SpheronDeploymentOrder", "1") {
        if (matchWindowBlocks_ == 0 || matchWindowBlocks_ > MAX_MATCH_WINDOW_BLOCKS) {
            revert MatchWindowTooLong(matchWindowBlocks_, MAX_MATCH_WINDOW_BLOCKS);
        }
        if (confirmWindowSeconds_ > MAX_CONFIRM_WINDOW_SECONDS) {
            revert ConfirmWindowTooLong(confirmWindowSeconds_, MAX_CONFIRM_WINDOW_SECONDS);
        }
        token = token_;
        registry = registry_;
        matchmakers = matchmakers_;
        bidWindowBlocks = bidWindowBlocks_;
        matchWindowBlocks = matchWindowBlocks_;
        confirmWindowSeconds = confirmWindowSeconds_;
        missedDeploymentSlash = missedDeploymentSlash_;
    }

    // ---------------------------------------------------------------- orders and bids

    /// @notice Creates an order and pulls `deposit` tokens into escrow (approve first). Every numeric field of the
    ///         spec must be within its MAX_* limit (the price within MAX_PRICE_PER_HOUR) and every string at most
    ///         MAX_TEXT_BYTES long.
    /// @param spec the resources, placement, price ceiling, duration and manifest hash
    /// @param deposit escrow for the lease, at most MAX_ESCROW; it can be topped up later
    /// @return orderId the new order's id (ids start at 1)
    function createOrder(OrderSpec calldata spec, uint256 deposit) external nonReentrant returns (uint256 orderId) {
        _validate(spec, deposit);
        deposit = _pull(deposit);
        if (deposit == 0) revert ZeroAmount();
        // What arrived, not what was asked, is stored in 128 bits: a token that delivers more must not wrap it.
        if (deposit > MAX_ESCROW) revert EscrowAboveLimit(deposit, MAX_ESCROW);
        orderId = ++orderCount;
        uint64 windowEnd = uint64(block.number) + bidWindowBlocks;
        _orders[orderId] = OrderRecord(msg.sender, OrderState.Open, windowEnd, uint128(deposit), 0, 0, bytes32(0));
        _specs[orderId] = SpecRecord(
            spec.cpuMilli,
            spec.memoryMb,
            spec.storageMb,
            spec.gpuCount,
            spec.durationSeconds,
            uint128(spec.maxPricePerHour),
            spec.regionRequired,
            spec.features,
            spec.manifestHash,
            spec.gpuModel,
            spec.region,
            spec.zone
        );
        emit ORDER_CREATED(
            orderId, msg.sender, spec.gpuCount, spec.gpuModel, spec.region, spec.maxPricePerHour, windowEnd, deposit
        );
    }

    /// @notice Bids `pricePerHour` on an open order. The caller must be an eligible provider; one bid each. There
    ///         is no cap on an order's bids, so no number of sock-puppet bids can keep an honest provider out: the
    ///         contract never loops over them (matchOrder reads only the winning one), and readers page through
    ///         them (getBids with an offset) or follow BID_SUBMITTED.
    /// @param orderId the order
    /// @param pricePerHour the provider's price, at most the order's maximum (so at most MAX_PRICE_PER_HOUR)
    /// @return bidIndex the bid's index within the order
    function submitBid(uint256 orderId, uint256 pricePerHour) external returns (uint256 bidIndex) {
        OrderRecord storage order = _openOrder(orderId);
        if (block.number > order.bidWindowEnd) revert BidWindowClosed(orderId, order.bidWindowEnd);
        if (!registry.isEligible(msg.sender)) revert ProviderNotEligible(msg.sender);
        BidRecord storage bid = _bids[orderId][msg.sender];
        if (bid.placedBlock != 0) revert BidAlreadySubmitted(orderId, msg.sender);
        uint256 maxPrice = _specs[orderId].maxPricePerHour;
        if (pricePerHour == 0 || pricePerHour > maxPrice) revert BidAboveMaxPrice(pricePerHour, maxPrice);
        bidIndex = order.bidCount;
        order.bidCount = uint64(bidIndex + 1);
        _bidders[orderId][bidIndex] = msg.sender;
        bid.pricePerHour = uint128(pricePerHour);
        bid.placedBlock = uint64(block.number);
        emit BID_SUBMITTED(orderId, msg.sender, bidIndex, pricePerHour);
    }

    /// @notice Creates the lease for `bidIndex`, given signatures of at least `threshold` distinct matchmaker
    ///         operators over the EIP-712 Match(orderId, bidIndex, provider, pricePerHour, seed, expiresAtBlock),
    ///         sorted by ascending signer address. Only between the bid window's end and the order's match deadline:
    ///         the seed is keccak(blockhash(bidWindowEnd), orderId), fixed when the window closed and readable until
    ///         the deadline, so nobody can choose it by timing a call. A bid whose provider is no longer eligible is
    ///         refused, and the matchmakers then pick the next candidate under the same seed.
    /// @param orderId the order
    /// @param bidIndex the winning bid
    /// @param signatures 65-byte operator signatures, sorted by signer address
    /// @return leaseId the new lease's id (ids start at 1)
    function matchOrder(uint256 orderId, uint256 bidIndex, bytes[] calldata signatures)
        external
        returns (uint256 leaseId)
    {
        OrderRecord storage order = _openOrder(orderId);
        if (block.number <= order.bidWindowEnd) revert BidWindowOpen(orderId, order.bidWindowEnd);
        uint64 deadline = order.bidWindowEnd + matchWindowBlocks;
        if (block.number > deadline) revert OrderExpired(orderId, deadline);
        if (bidIndex >= order.bidCount) revert UnknownBid(orderId, bidIndex);
        address provider = _bidders[orderId][bidIndex];
        uint128 price = _bids[orderId][provider].pricePerHour;
        if (!registry.isEligible(provider)) revert ProviderNotEligible(provider);
        bytes32 seed = _seed(orderId, order.bidWindowEnd);
        order.seed = seed;
        _checkQuorum(_matchDigest(orderId, bidIndex, provider, price, seed, deadline), signatures);

        leaseId = ++leaseCount;
        address tenant = order.tenant;
        uint128 deposit = order.deposit;
        order.state = OrderState.Matched;
        order.leaseId = uint64(leaseId);
        order.deposit = 0;
        uint256[] storage tenantLeases = _tenantLeases[tenant];
        uint256[] storage providerLeases = _providerLeases[provider];
        _leases[leaseId] = LeaseRecord({
            tenant: tenant,
            orderId: uint40(orderId),
            state: LeaseState.Active,
            tenantIndex: uint48(tenantLeases.length),
            provider: provider,
            createdAt: uint64(block.timestamp),
            providerIndex: uint32(providerLeases.length),
            pricePerHour: price,
            balance: deposit,
            confirmedAt: 0,
            endsAt: 0,
            paid: 0
        });
        providerLeases.push(leaseId);
        tenantLeases.push(leaseId);
        // Until it confirms, the provider can be slashed for this lease: that much of its stake may not leave.
        registry.lockStake(provider, missedDeploymentSlash);
        emit CREATE_LEASE(leaseId, orderId, provider, tenant, price, seed);
    }

    /// @notice Cancels an open order and refunds its deposit. Allowed until its bid window ends (bids are offers
    ///         and bind the tenant to nothing: no bid can keep a tenant in an order it no longer wants), and once it
    ///         expired unmatched (its match deadline passed); not while the matchmakers may be matching it, so that
    ///         nobody can make their match transaction fail. Tenant only.
    /// @param orderId the order
    function cancelOrder(uint256 orderId) external nonReentrant {
        OrderRecord storage order = _openOrder(orderId);
        if (order.tenant != msg.sender) revert NotTenant(orderId, msg.sender);
        uint64 matchDeadline = order.bidWindowEnd + matchWindowBlocks;
        if (block.number > order.bidWindowEnd && block.number <= matchDeadline && order.bidCount != 0) {
            revert CannotCancelYet(orderId, matchDeadline);
        }
        uint256 refund = order.deposit;
        order.deposit = 0;
        order.state = OrderState.Cancelled;
        emit ORDER_CANCELLED(orderId, refund);
        token.safeTransfer(msg.sender, refund);
    }

    // ---------------------------------------------------------------- leases

    /// @notice The provider confirms that the lease's deployment runs; payment accrues from now, for the
    ///         order's duration. Must happen before the lease's confirm deadline.
    /// @param leaseId the lease
    function confirmDeployment(uint256 leaseId) external {
        LeaseRecord storage lease = _activeLease(leaseId);
        if (lease.provider != msg.sender) revert NotProvider(leaseId, msg.sender);
        if (lease.confirmedAt != 0) revert AlreadyConfirmed(leaseId);
        uint64 confirmDeadline = _confirmDeadline(lease);
        if (block.timestamp > confirmDeadline) revert ConfirmDeadlinePassed(leaseId, confirmDeadline);
        lease.confirmedAt = uint64(block.timestamp);
        lease.endsAt = uint64(block.timestamp) + _specs[lease.orderId].durationSeconds;
        registry.unlockStake(msg.sender, missedDeploymentSlash);
        emit LEASE_CONFIRMED(leaseId, msg.sender, lease.endsAt);
    }

    /// @notice The provider declines a lease it could not bring up because of the tenant, before the confirm
    ///         deadline: no valid manifest arrived (ManifestNotReceived), or the tenant's workload never became
    ///         ready (DeploymentNotReady). The lease closes without a slash, and the tenant pays for the time the
    ///         capacity was held for it, from the lease's creation until now (at most the confirm window), out of
    ///         the escrow; the rest is refunded. Only a provider that neither confirms nor declines before the
    ///         deadline misses the deployment. The provider's operator does this on its own (a manifest watchdog),
    ///         so a tenant cannot get a running provider slashed by withholding the manifest. Provider only.
    /// @param leaseId the lease
    /// @param reason ManifestNotReceived or DeploymentNotReady
    function declineLease(uint256 leaseId, CloseReason reason) external nonReentrant {
        LeaseRecord storage lease = _activeLease(leaseId);
        if (lease.provider != msg.sender) revert NotProvider(leaseId, msg.sender);
        if (lease.confirmedAt != 0) revert AlreadyConfirmed(leaseId);
        uint64 confirmDeadline = _confirmDeadline(lease);
        if (block.timestamp > confirmDeadline) revert ConfirmDeadlinePassed(leaseId, confirmDeadline);
        if (reason != CloseReason.ManifestNotReceived && reason != CloseReason.DeploymentNotReady) {
            revert NotADeclineReason(reason);
        }
        _close(leaseId, lease, reason);
    }

    /// @notice Adds `amount` to the lease's escrow (approve first), up to MAX_ESCROW in all. Tenant only. A lease
    ///         whose escrow already ran out ended then: it takes no top-up, which would otherwise pay the provider
    ///         for the time it ran unfunded (anyone may close it with closeExpired).
    /// @param leaseId the lease
    /// @param amount tokens to add
    function topUp(uint256 leaseId, uint256 amount) external nonReentrant {
        LeaseRecord storage lease = _activeLease(leaseId);
        if (lease.tenant != msg.sender) revert NotTenant(leaseId, msg.sender);
        if (amount == 0) revert ZeroAmount();
        if (lease.confirmedAt != 0 && _accrued(lease) >= lease.balance) revert EscrowExhausted(leaseId);
        if (amount > MAX_ESCROW - lease.balance) revert EscrowAboveLimit(amount, MAX_ESCROW - lease.balance);
        amount = _pull(amount);
        if (amount > MAX_ESCROW - lease.balance) revert EscrowAboveLimit(amount, MAX_ESCROW - lease.balance);
        lease.balance += uint128(amount);
        emit LEASE_TOPPED_UP(leaseId, amount, lease.balance);
    }

    /// @notice Pays the provider what has accrued. When the escrow is used up or the duration is over, the lease
    ///         closes and the rest is refunded. Provider only.
    /// @param leaseId the lease
    /// @return amount what was paid
    function withdraw(uint256 leaseId) external nonReentrant returns (uint256 amount) {
        LeaseRecord storage lease = _activeLease(leaseId);
        if (lease.provider != msg.sender) revert NotProvider(leaseId, msg.sender);
        amount = _accrued(lease);
        if (amount == 0) revert NothingToWithdraw(leaseId);
        lease.balance -= uint128(amount);
        lease.paid += amount;
        emit PAYMENT_WITHDRAWN(leaseId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
        if (lease.balance == 0) _close(leaseId, lease, CloseReason.FundsExhausted);
        else if (block.timestamp >= lease.endsAt) _close(leaseId, lease, CloseReason.DurationEnded);
    }

    /// @notice Closes the lease: the provider gets what has accrued, the tenant the rest. Tenant or provider.
    ///         A tenant closing a lease its provider has not confirmed yet pays for the time the capacity was held
    ///         for it (as declineLease charges); a provider giving such a lease up takes nothing.
    ///         A lease still unconfirmed after its confirm deadline is a missed deployment whoever closes it: it
    ///         fails exactly as reportUndeployed makes it fail, so a provider cannot close its way out of the slash.
    /// @param leaseId the lease
    function closeLease(uint256 leaseId) external nonReentrant {
        LeaseRecord storage lease = _activeLease(leaseId);
        CloseReason reason;
        if (msg.sender == lease.tenant) reason = CloseReason.TenantClosed;
        else if (msg.sender == lease.provider) reason = CloseReason.ProviderClosed;
        else revert NotLeaseParty(leaseId, msg.sender);
        if (lease.confirmedAt == 0 && block.timestamp > _confirmDeadline(lease)) _failUndeployed(leaseId, lease);
        else _close(leaseId, lease, reason);
    }

    /// @notice Closes a lease whose escrow is used up or whose duration is over. Anyone may call it.
    /// @param leaseId the lease
    function closeExpired(uint256 leaseId) external nonReentrant {
        LeaseRecord storage lease = _activeLease(leaseId);
        if (lease.confirmedAt == 0) revert LeaseNotExpired(leaseId);
        if (_accrued(lease) >= lease.balance) _close(leaseId, lease, CloseReason.FundsExhausted);
        else if (block.timestamp >= lease.endsAt) _close(leaseId, lease, CloseReason.DurationEnded);
        else revert LeaseNotExpired(leaseId);
    }

    /// @notice Reports a provider that did not confirm the deployment before the deadline: the lease fails, the
    ///         tenant gets the whole escrow back and the provider is slashed. Tenant only.
    /// @param leaseId the lease
    function reportUndeployed(uint256 leaseId) external nonReentrant {
        LeaseRecord storage lease = _activeLease(leaseId);
        if (lease.tenant != msg.sender) revert NotTenant(leaseId, msg.sender);
        if (lease.confirmedAt != 0) revert AlreadyConfirmed(leaseId);
        uint64 confirmDeadline = _confirmDeadline(lease);
        if (block.timestamp <= confirmDeadline) revert ConfirmDeadlineNotPassed(leaseId, confirmDeadline);
        _failUndeployed(leaseId, lease);
    }

    /// @notice Sends the caller everything held for it (refunds and payments that another party's transaction
    ///         settled) to `to`, which may be another of its addresses: a party the token refuses to pay can still
    ///         take its money out, and can never block the other party's.
    /// @param to the receiver
    /// @return amount what was sent
    function claim(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = _claimable[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        emit FUNDS_CLAIMED(msg.sender, to, amount);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice What `account` can claim.
    function claimableOf(address account) external view returns (uint256) {
        return _claimable[account];
    }

    /// @notice The order's state. tenant is zero for an unknown id.
    function getOrder(uint256 orderId) external view returns (Order memory) {
        OrderRecord storage order = _orders[orderId];
        if (order.state == OrderState.None) return Order(address(0), OrderState.None, 0, 0, 0, 0, bytes32(0));
        return Order(
            order.tenant,
            order.state,
            order.bidWindowEnd - bidWindowBlocks,
            order.bidWindowEnd,
            order.deposit,
            order.leaseId,
            order.seed
        );
    }

    /// @notice What the order asks for.
    function getOrderSpec(uint256 orderId) external view returns (OrderSpec memory) {
        SpecRecord storage spec = _specs[orderId];
        return OrderSpec(
            spec.cpuMilli,
            spec.memoryMb,
            spec.storageMb,
            spec.gpuCount,
            spec.gpuModel,
            spec.region,
            spec.zone,
            spec.regionRequired,
            spec.maxPricePerHour,
            spec.durationSeconds,
            spec.manifestHash,
            spec.features
        );
    }

    /// @notice Up to `limit` (at most MAX_BIDS_PAGE) of the order's bids from index `offset`, in the order they were
    ///         placed; empty past the last. A bid's index is its place in this list.
    function getBids(uint256 orderId, uint256 offset, uint256 limit) external view returns (Bid[] memory page) {
        uint256 count = _orders[orderId].bidCount;
        uint256 end = limit > MAX_BIDS_PAGE ? MAX_BIDS_PAGE : limit;
        end = offset >= count ? offset : (count - offset < end ? count : offset + end);
        page = new Bid[](end - offset);
        for (uint256 i = offset; i < end; i++) {
            address provider = _bidders[orderId][i];
            BidRecord storage bid = _bids[orderId][provider];
            page[i - offset] = Bid(provider, bid.pricePerHour, bid.placedBlock);
        }
    }

    /// @notice How many bids the order has.
    function bidCount(uint256 orderId) external view returns (uint256) {
        return _orders[orderId].bidCount;
    }

    /// @notice The lease. tenant is zero for an unknown id.
    function getLease(uint256 leaseId) external view returns (Lease memory) {
        LeaseRecord storage lease = _leases[leaseId];
        if (lease.state == LeaseState.None) return Lease(0, address(0), address(0), 0, LeaseState.None, 0, 0, 0, 0, 0, 0);
        return Lease({
            orderId: lease.orderId,
            tenant: lease.tenant,
            provider: lease.provider,
            pricePerHour: lease.pricePerHour,
            state: lease.state,
            createdAt: lease.createdAt,
            confirmDeadline: _confirmDeadline(lease),
            confirmedAt: lease.confirmedAt,
            endsAt: lease.endsAt,
            balance: lease.balance,
            paid: lease.paid
        });
    }

    /// @notice What the provider could withdraw now.
    function accrued(uint256 leaseId) external view returns (uint256) {
        return _accrued(_leases[leaseId]);
    }

    /// @notice What the tenant would pay for the capacity held so far if the lease, still unconfirmed, ended now
    ///         by the tenant's close or the provider's decline: the price for the time since the lease's creation.
    function heldCharge(uint256 leaseId) external view returns (uint256) {
        LeaseRecord storage lease = _leases[leaseId];
        if (lease.state != LeaseState.Active || lease.confirmedAt != 0) return 0;
        return _heldCharge(lease);
    }

    /// @notice Ids of the live orders: open (unmatched, uncancelled) and not past their match deadline, so still
    ///         biddable or matchable. Orders expire, so this is bounded by the orders created in the last
    ///         bidWindowBlocks + matchWindowBlocks blocks, however long the market has run: every order's window
    ///         ends a fixed number of blocks after it was created, so the live ones are the newest ids, found by a
    ///         binary search, and expired orders are never read again.
    function openOrderIds() external view returns (uint256[] memory ids) {
        uint256 first = _firstLiveOrder();
        uint256 count = orderCount;
        ids = new uint256[](count + 1 - first);
        uint256 n = 0;
        for (uint256 id = first; id <= count; id++) {
            if (_orders[id].state == OrderState.Open) ids[n++] = id;
        }
        assembly {
            mstore(ids, n)
        }
    }

    /// @notice The lowest id that may still be live: every order openOrderIds lists is in [firstLiveOrderId(),
    ///         orderCount] (orderCount + 1 when none is). A binary search, so one call costs the same however many
    ///         orders are live; readers of a busy market page through that range with getOrder instead of calling
    ///         openOrderIds, whose loop, and so its gas, grows with the live orders.
    function firstLiveOrderId() external view returns (uint256) {
        return _firstLiveOrder();
    }

    /// @notice The block after which the order can no longer be matched (bidWindowEnd + matchWindowBlocks).
    function matchDeadline(uint256 orderId) external view returns (uint64) {
        OrderRecord storage order = _orders[orderId];
        if (order.state == OrderState.None) revert UnknownOrder(orderId);
        return order.bidWindowEnd + matchWindowBlocks;
    }

    /// @notice Ids of the provider's active leases.
    function activeLeasesOf(address provider) external view returns (uint256[] memory) {
        return _providerLeases[provider];
    }

    /// @notice Ids of the tenant's active leases.
    function tenantLeasesOf(address tenant) external view returns (uint256[] memory) {
        return _tenantLeases[tenant];
    }

    /// @notice The order's seed: keccak(blockhash(bidWindowEnd), orderId), the one its match used once matched.
    ///         Reverts with BidWindowOpen before the window closes; returns zero once the block hash aged out (an
    ///         order that old is past its match deadline and can no longer be matched).
    function seedOf(uint256 orderId) external view returns (bytes32) {
        OrderRecord storage order = _orders[orderId];
        if (order.state == OrderState.None) revert UnknownOrder(orderId);
        if (order.seed != bytes32(0)) return order.seed;
        if (block.number <= order.bidWindowEnd) revert BidWindowOpen(orderId, order.bidWindowEnd);
        if (block.number - order.bidWindowEnd > 256) return bytes32(0);
        return _seed(orderId, order.bidWindowEnd);
    }

    /// @notice The EIP-712 digest operators sign for a match of `bidIndex` under `seed`, valid until the order's
    ///         match deadline.
    function matchDigest(uint256 orderId, uint256 bidIndex, bytes32 seed) external view returns (bytes32) {
        OrderRecord storage order = _orders[orderId];
        if (bidIndex >= order.bidCount) revert UnknownBid(orderId, bidIndex);
        address provider = _bidders[orderId][bidIndex];
        return _matchDigest(
            orderId, bidIndex, provider, _bids[orderId][provider].pricePerHour, seed, order.bidWindowEnd + matchWindowBlocks
        );
    }

    // ---------------------------------------------------------------- internals

    function _validate(OrderSpec calldata spec, uint256 deposit) private pure {
        if (deposit == 0) revert ZeroAmount();
        if (deposit > MAX_ESCROW) revert EscrowAboveLimit(deposit, MAX_ESCROW);
        if (spec.maxPricePerHour == 0) revert InvalidOrder("maxPricePerHour is zero");
        if (spec.maxPricePerHour > MAX_PRICE_PER_HOUR) {
            revert OrderPriceAboveLimit(spec.maxPricePerHour, MAX_PRICE_PER_HOUR);
        }
        if (spec.durationSeconds == 0) revert InvalidOrder("durationSeconds is zero");
        if (spec.cpuMilli == 0) revert InvalidOrder("cpuMilli is zero");
        if (spec.memoryMb == 0) revert InvalidOrder("memoryMb is zero");
        if (spec.gpuCount > 0 && bytes(spec.gpuModel).length == 0) revert InvalidOrder("gpuModel is empty");
        if (spec.regionRequired && bytes(spec.region).length == 0) revert InvalidOrder("region required but empty");
        if (spec.manifestHash == bytes32(0)) revert InvalidOrder("manifestHash is zero");
        if (spec.cpuMilli > MAX_CPU_MILLI) revert OrderCpuAboveLimit(spec.cpuMilli, MAX_CPU_MILLI);
        if (spec.memoryMb > MAX_MEMORY_MB) revert OrderMemoryAboveLimit(spec.memoryMb, MAX_MEMORY_MB);
        if (spec.storageMb > MAX_STORAGE_MB) revert OrderStorageAboveLimit(spec.storageMb, MAX_STORAGE_MB);
        if (spec.gpuCount > MAX_GPU_COUNT) revert OrderGpuCountAboveLimit(spec.gpuCount, MAX_GPU_COUNT);
        if (spec.durationSeconds > MAX_DURATION_SECONDS) {
            revert OrderDurationAboveLimit(spec.durationSeconds, MAX_DURATION_SECONDS);
        }
        _checkText("gpuModel", spec.gpuModel);
        _checkText("region", spec.region);
        _checkText("zone", spec.zone);
    }

    function _checkText(string memory field, string calldata text) private pure {
        if (bytes(text).length > MAX_TEXT_BYTES) revert OrderTextTooLong(field, bytes(text).length, MAX_TEXT_BYTES);
    }

    function _openOrder(uint256 orderId) private view returns (OrderRecord storage order) {
        order = _orders[orderId];
        if (order.state == OrderState.None) revert UnknownOrder(orderId);
        if (order.state != OrderState.Open) revert OrderNotOpen(orderId, order.state);
    }

    function _activeLease(uint256 leaseId) private view returns (LeaseRecord storage lease) {
        lease = _leases[leaseId];
        if (lease.state == LeaseState.None) revert UnknownLease(leaseId);
        if (lease.state != LeaseState.Active) revert LeaseNotActive(leaseId, lease.state);
    }

    /// @dev Callers are past the window's end and within the match deadline, so the block hash is readable.
    function _seed(uint256 orderId, uint64 windowEnd) private view returns (bytes32) {
        return keccak256(abi.encode(blockhash(windowEnd), orderId));
    }

    /// @dev The first order not yet past its match deadline (orderCount + 1 when none is). Window ends grow with
    ///      the order id, since each is its creation block plus the fixed bid window.
    function _firstLiveOrder() private view returns (uint256) {
        uint256 lo = 1;
        uint256 hi = orderCount + 1;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (uint256(_orders[mid].bidWindowEnd) + matchWindowBlocks < block.number) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    function _matchDigest(
        uint256 orderId,
        uint256 bidIndex,
        address provider,
        uint256 pricePerHour,
        bytes32 seed,
        uint64 expiresAtBlock
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(MATCH_TYPEHASH, orderId, bidIndex, provider, pricePerHour, seed, expiresAtBlock))
        );
    }

    /// @dev The time by which the provider must confirm or decline: a fixed window after the lease's creation.
    function _confirmDeadline(LeaseRecord storage lease) private view returns (uint64) {
        return lease.createdAt + confirmWindowSeconds;
    }

    function _checkQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 needed = matchmakers.threshold();
        if (signatures.length < needed) revert QuorumNotReached(signatures.length, needed);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignaturesNotSorted(signer, previous);
            if (!matchmakers.isOperator(signer)) revert SignerNotOperator(signer);
            previous = signer;
        }
    }

    /// @dev Accrued payment: price for the confirmed time up to now (or the end), less what was paid, capped by
    ///      the balance. Computed from the confirmation time so rounding never accumulates.
    function _accrued(LeaseRecord storage lease) private view returns (uint256) {
        if (lease.confirmedAt == 0 || lease.state != LeaseState.Active) return 0;
        uint256 until = block.timestamp < lease.endsAt ? block.timestamp : lease.endsAt;
        uint256 owed = (uint256(lease.pricePerHour) * (until - lease.confirmedAt)) / 3600 - lease.paid;
        return owed < lease.balance ? owed : lease.balance;
    }

    /// @dev The price of the time an unconfirmed lease held the provider's capacity, from its creation until now
    ///      (callers are before the confirm deadline, so at most the confirm window), capped by the balance.
    function _heldCharge(LeaseRecord storage lease) private view returns (uint256) {
        uint256 owed = (uint256(lease.pricePerHour) * (block.timestamp - lease.createdAt)) / 3600;
        return owed < lease.balance ? owed : lease.balance;
    }

    /// @dev The seconds of service the lease's payments bought, at most the time it ran: what reputation counts.
    function _paidSeconds(LeaseRecord storage lease) private view returns (uint64) {
        uint256 ran = (block.timestamp < lease.endsAt ? block.timestamp : lease.endsAt) - lease.confirmedAt;
        uint256 bought = (lease.paid * 3600) / lease.pricePerHour;
        return uint64(bought < ran ? bought : ran);
    }

    /// @dev Ends a lease its provider did not confirm by the deadline: failed, the whole escrow refunded, the failure
    ///      counted against the provider and its stake slashed.
    function _failUndeployed(uint256 leaseId, LeaseRecord storage lease) private {
        uint256 refund = lease.balance;
        lease.balance = 0;
        lease.state = LeaseState.Failed;
        _unlist(leaseId, lease);
        emit LEASE_CLOSED(leaseId, msg.sender, CloseReason.DeploymentMissed, 0, refund);
        registry.recordLeaseOutcome(lease.provider, false, 0);
        registry.unlockStake(lease.provider, missedDeploymentSlash);
        registry.slash(lease.provider, missedDeploymentSlash, registry.SLASH_DEPLOYMENT_MISSED());
        _pay(lease.tenant, refund);
    }

    /// @dev A confirmed lease pays what accrued; an unconfirmed one pays for the held capacity when the tenant
    ///      closes it or the provider declines it for the tenant's failure, and nothing when the provider gives it up.
    function _close(uint256 leaseId, LeaseRecord storage lease, CloseReason reason) private {
        bool confirmed = lease.confirmedAt != 0;
        uint256 pay;
        if (confirmed) pay = _accrued(lease);
        else if (reason != CloseReason.ProviderClosed) pay = _heldCharge(lease);
        uint256 refund = lease.balance - pay;
        lease.balance = 0;
        lease.paid += pay;
        lease.state = LeaseState.Closed;
        if (!confirmed) lease.endsAt = uint64(block.timestamp);
        _unlist(leaseId, lease);
        emit LEASE_CLOSED(leaseId, msg.sender, reason, pay, refund);
        if (confirmed) registry.recordLeaseOutcome(lease.provider, true, _paidSeconds(lease));
        else registry.unlockStake(lease.provider, missedDeploymentSlash);
        _pay(lease.provider, pay);
        _pay(lease.tenant, refund);
    }

    /// @dev Takes an ending lease out of its parties' active-lease lists: the list's last lease takes its place.
    function _unlist(uint256 leaseId, LeaseRecord storage lease) private {
        uint256[] storage list = _providerLeases[lease.provider];
        uint256 last = list[list.length - 1];
        if (last != leaseId) {
            list[lease.providerIndex] = last;
            _leases[last].providerIndex = lease.providerIndex;
        }
        list.pop();
        list = _tenantLeases[lease.tenant];
        last = list[list.length - 1];
        if (last != leaseId) {
            list[lease.tenantIndex] = last;
            _leases[last].tenantIndex = lease.tenantIndex;
        }
        list.pop();
    }

    /// @dev Pays the caller at once; holds what is owed to anyone else for them to claim, so neither party's
    ///      standing with the token (a blacklisting stablecoin refuses transfers to some addresses) can block the
    ///      other's money or the transaction that settles it.
    function _pay(address to, uint256 amount) private {
        if (amount == 0) return;
        if (to == msg.sender) {
            token.safeTransfer(to, amount);
        } else {
            _claimable[to] += amount;
            emit FUNDS_CREDITED(to, amount);
        }
    }

    /// @dev Pulls `amount` from the caller and returns what arrived: a fee-on-transfer token delivers less than was
    ///      sent, and only what arrived may be paid out again.
    function _pull(uint256 amount) private returns (uint256) {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        return token.balanceOf(address(this)) - before;
    }
}
