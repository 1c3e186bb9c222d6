package org.openspheron.chain.nativeimage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.graalvm.nativeimage.hosted.Feature;
import org.graalvm.nativeimage.hosted.RuntimeReflection;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.abi.datatypes.Uint;
import org.web3j.protocol.core.Request;

/**
 * What web3j's ABI codec and the generated contract wrappers do by reflection, registered for a native image.
 *
 * <p>The decoder creates every value with {@code type.getConstructor(BigInteger.class)} (or {@code byte[]},
 * {@code List}), on classes it picks at run time: {@code Uint} for every array length and offset, the wrapper's
 * {@code Uint256} or {@code Bytes32}, {@code StaticArrayN} by name ({@code Class.forName}), the wrappers' struct
 * classes by their constructors and public fields, and each call's return type from the generic signature of an
 * anonymous {@code TypeReference} subclass ({@code DeploymentOrder$12}). None of that is visible to the image
 * analysis, and a miss shows only at run time ({@code NoSuchMethodException: Uint.<init>(BigInteger)}). Rather than a
 * hand-kept list that misses the next type a contract change brings, every class of web3j's
 * {@code org.web3j.abi.datatypes} packages and of the generated wrappers' package is registered, with its
 * constructors (and the wrappers' nested classes with their fields): a few hundred small classes. web3j's JSON-RPC
 * model, which its Jackson mapper writes and reads by reflection, is registered whole the same way, so every app
 * with the chain module gets it, not only the one that listed the classes it had seen fail.
 *
 * <p>Loaded by native-image only (META-INF/native-image/org.openspheron/spheron-chain/native-image.properties).
 */
public final class Web3jReflectionFeature implements Feature {
    static final String ABI_TYPES = "org/web3j/abi/datatypes/";
    static final String WRAPPERS = "org/openspheron/contracts/generated/";
    /** web3j's JSON-RPC requests, responses and their deserializers, and the WebSocket subscriptions' notifications. */
    static final List<String> JSON_RPC = List.of("org/web3j/protocol/core/", "org/web3j/protocol/deserializer/",
            "org/web3j/protocol/websocket/events/");

    @Override
    public String getDescription() {
        return "registers web3j's ABI types and the protocol's contract wrappers for reflection";
    }

    @Override
    public void beforeAnalysis(BeforeAnalysisAccess access) {
        for (String name : abiTypeNames()) {
            Class<?> type = access.findClassByName(name);
            if (type != null) {
                RuntimeReflection.register(type);
                RuntimeReflection.register(type.getConstructors());
            }
        }
        for (String name : jsonRpcClassNames()) {
            Class<?> type = access.findClassByName(name);
            if (type != null) {
                registerForJackson(type);
            }
        }
        for (String name : wrapperClassNames()) {
            Class<?> type = access.findClassByName(name);
            if (type != null) {
                RuntimeReflection.register(type);
                RuntimeReflection.register(type.getDeclaredConstructors());
                RuntimeReflection.register(type.getDeclaredFields());
                RuntimeReflection.register(type.getFields());
            }
        }
    }

    /**
     * A class that web3j's Jackson mapper writes (a request) or reads (a response, a notification): its constructors,
     * methods and fields, for invocation and for the mapper's introspection. A class whose members name a type absent
     * from the image's class path is skipped; no JSON-RPC call of ours returns one.
     */
    private static void registerForJackson(Class<?> type) {
        try {
            RuntimeReflection.register(type);
            RuntimeReflection.registerAllDeclaredConstructors(type);
            RuntimeReflection.registerAllDeclaredMethods(type);
            RuntimeReflection.registerAllDeclaredFields(type);
            RuntimeReflection.register(type.getDeclaredConstructors());
            RuntimeReflection.register(type.getDeclaredMethods());
            RuntimeReflection.register(type.getDeclaredFields());
        } catch (LinkageError e) {
            // an optional dependency's type in a signature: not used by the apps
        }
    }

    /**
     * Every class of web3j's JSON-RPC model ({@link #JSON_RPC}): the mapper builds each request's JSON from its getters
     * and each response from its setters and fields, by reflection. Without them, a native client fails on its first
     * call ({@code No serializer found for class org.web3j.protocol.core.Request}, the native CLI's first failure).
     */
    static List<String> jsonRpcClassNames() {
        List<String> names = new ArrayList<>();
        for (String prefix : JSON_RPC) {
            names.addAll(classesUnder(Request.class, prefix));
        }
        return names;
    }

    /** Every class of {@code org.web3j.abi.datatypes} and its sub-packages ({@code generated}, {@code primitive}). */
    static List<String> abiTypeNames() {
        return classesUnder(Uint.class, ABI_TYPES);
    }

    /** Every class of the generated wrappers' package: the wrappers, their structs and event responses, and the
     * anonymous {@code TypeReference}s whose generic signature names each function's return type. */
    static List<String> wrapperClassNames() {
        return classesUnder(DeploymentOrder.class, WRAPPERS);
    }

    private static List<String> classesUnder(Class<?> anchor, String prefix) {
        Path location;
        try {
            location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + anchor.getName(), e);
        }
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location.resolve(prefix))) {
                    files.map(f -> location.relativize(f).toString().replace('\\', '/'))
                            .filter(n -> n.endsWith(".class")).forEach(n -> names.add(className(n)));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(prefix) && n.endsWith(".class")) {
                            names.add(className(n));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + prefix + " in " + location, e);
        }
        names.removeIf(n -> n.endsWith("module-info") || n.endsWith("package-info"));
        names.sort(null);
        return names;
    }

    private static String className(String entry) {
        return entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
    }
}
