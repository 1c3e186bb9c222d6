package org.openspheron.manifest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a deployment manifest, Spheron ICL ({@code version: "1.0"}) or Akash SDL ({@code "2.0"}, {@code "2.1"}),
 * into one {@link Manifest}, or throws a {@link ManifestException} that names the field and the reason. Nothing
 * else escapes: malformed YAML, unknown fields, dangling references and absurd resources all become that error.
 *
 * <h2>Limits</h2>
 * Files over {@value #MAX_BYTES} bytes are refused before parsing; YAML nesting is limited to
 * {@value YamlTreeReader#MAX_DEPTH} levels, aliases to {@value YamlTreeReader#MAX_ALIASES} and the document after
 * alias expansion to {@value YamlTreeReader#MAX_NODES} nodes, numbers to {@value YamlTreeReader#MAX_NUMBER_LENGTH}
 * characters; tags other than the YAML core schema's, merge keys
 * ({@code <<}), duplicate keys and multi-document files are refused. No Java object is ever built from a tag.
 *
 * <h2>The canonical hash</h2>
 * The hash an order carries on chain, and the gateway checks a manifest against, is
 * {@code "0x" + hex(SHA-256(UTF-8(canonical JSON)))} where the canonical JSON is the parsed YAML tree written as:
 * <ul>
 *   <li>mappings as JSON objects with keys sorted by UTF-16 code units (as RFC 8785), sequences as arrays;</li>
 *   <li>scalars typed by the YAML 1.2 core schema: strings (however quoted or folded) as JSON strings with only
 *       {@code "}, {@code \}, and control characters escaped, {@code null}, {@code true}/{@code false}, and numbers
 *       by value in plain decimal notation without trailing zeros ({@code 16}, {@code 16.0} and {@code 0x10} are
 *       all {@code 16}); {@code .inf}/{@code .nan} as strings prefixed with U+0000;</li>
 *   <li>aliases expanded; comments, whitespace, key order, flow or block style and quoting gone;</li>
 *   <li>no whitespace between tokens.</li>
 * </ul>
 * So reformatting, reordering or re-quoting a manifest keeps its hash, and changing any value changes it (quoting a
 * number changes its type, and so the hash). The hash covers the file as written, not the model: fields the model
 * ignores still count. SHA-256 rather than keccak-256 because nothing on chain recomputes it (the contract only
 * stores the 32 bytes), every platform has SHA-256 built in, and anyone can check it with {@code sha256sum} on the
 * canonical JSON ({@link Manifest#canonicalJson()}).
 */
public final class ManifestParser {
    /** The largest manifest accepted: 1 MiB. */
    public static final int MAX_BYTES = 1024 * 1024;

    private ManifestParser() {
    }

    /** Parses UTF-8 manifest bytes (a UTF-8 byte order mark is allowed). */
    public static Manifest parse(byte[] yaml) {
        if (yaml == null) {
            throw ManifestException.ofFile("no manifest given");
        }
        if (yaml.length > MAX_BYTES) {
            throw tooLarge(yaml.length);
        }
        return parseChecked(decode(yaml));
    }

    public static Manifest parse(String yaml) {
        if (yaml == null) {
            throw ManifestException.ofFile("no manifest given");
        }
        if (yaml.length() > MAX_BYTES) {
            throw tooLarge(yaml.length());
        }
        int bytes = yaml.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw tooLarge(bytes);
        }
        return parseChecked(yaml.startsWith("\uFEFF") ? yaml.substring(1) : yaml);
    }

    /** The canonical hash of a manifest (see the class comment), after checking that it is a valid manifest. */
    public static String canonicalHash(byte[] yaml) {
        return parse(yaml).canonicalHash();
    }

    private static Manifest parseChecked(String text) {
        YamlNode tree = YamlTreeReader.read(text);
        String canonical = CanonicalJson.of(tree);
        return ManifestReader.read(tree, canonical, CanonicalJson.sha256(canonical));
    }

    private static String decode(byte[] yaml) {
        int start = yaml.length >= 3 && (yaml[0] & 0xff) == 0xEF && (yaml[1] & 0xff) == 0xBB && (yaml[2] & 0xff) == 0xBF ? 3 : 0;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(yaml, start, yaml.length - start))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ManifestException.ofFile("the manifest is not UTF-8 text");
        }
    }

    private static ManifestException tooLarge(int size) {
        return ManifestException.ofFile("the manifest is " + size + " bytes, over the limit of " + MAX_BYTES + " bytes (1 MiB)");
    }
}
