package org.openspheron.cli;

import picocli.CommandLine.Mixin;

/** A command that acts on chain as the user's account: the chain options all of them take, and their session. */
abstract class ChainCommand extends HomeCommand {
    @Mixin
    ChainOptions chainOptions;

    /** Connects to the chain with the protocol's addresses; the caller closes it. */
    ChainSession openChain() {
        return ChainSession.open(chainOptions, common.home());
    }
}
