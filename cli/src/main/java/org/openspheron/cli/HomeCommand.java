package org.openspheron.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command with the options every command takes: where the user's keys live and how to print. */
abstract class HomeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    Output output() {
        return new Output(spec, common.json);
    }
}
