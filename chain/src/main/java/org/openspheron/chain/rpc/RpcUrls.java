package org.openspheron.chain.rpc;

/**
 * How an RPC URL appears in logs and error messages. Paid endpoints put the API key in the URL: in the path
 * (Alchemy {@code /v2/KEY}, Infura {@code /v3/KEY}, QuickNode {@code /TOKEN/}, Ankr {@code /eth/KEY}), in the query
 * ({@code ?apikey=KEY}) or as user info ({@code https://user:secret@host}). Scheme, host and port stay, so a reader
 * still sees which endpoint failed; user info and the query become {@code ***}, and so does every path segment that
 * looks like a key: 16 characters or more, or 8 or more with a digit in them. Short words ({@code v2}, {@code rpc},
 * {@code base-sepolia}) stay.
 */
public final class RpcUrls {
    private RpcUrls() {
    }

    /**
     * {@code url} with what may be a credential masked; never null. Read as text, not parsed, so a URL too broken to
     * parse (the very one a configuration error names) is masked alike.
     */
    public static String shown(String url) {
        if (url == null) {
            return "null";
        }
        String text = url.trim();
        int scheme = text.indexOf("://");
        // A scheme only before any '/', '?' or '#' (a "://" in a query is not one).
        int start = scheme < 0 || firstOf(text, 0, "/?#") < scheme ? 0 : scheme + 3;
        StringBuilder shown = new StringBuilder(text.substring(0, start));
        // User info runs to the last '@' before the query: a password may hold an unencoded '/'.
        int at = text.substring(start, firstOf(text, start, "?#")).lastIndexOf('@');
        int hostStart = start;
        if (at >= 0) {
            shown.append("***@");
            hostStart = start + at + 1;
        }
        int authorityEnd = firstOf(text, hostStart, "/?#");
        int pathEnd = firstOf(text, authorityEnd, "?#");
        shown.append(text, hostStart, authorityEnd);
        String path = text.substring(authorityEnd, pathEnd);
        if (!path.isEmpty()) {
            String[] segments = path.split("/", -1);
            for (int i = 1; i < segments.length; i++) {
                shown.append('/').append(looksSecret(segments[i]) ? "***" : segments[i]);
            }
        }
        if (pathEnd < text.length()) {
            shown.append(text.charAt(pathEnd)).append("***");
        }
        return shown.toString();
    }

    private static int firstOf(String text, int from, String chars) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    /** Each URL of a comma-separated list {@link #shown shown}, joined by ", ". */
    public static String shownList(String commaSeparated) {
        if (commaSeparated == null) {
            return "null";
        }
        return String.join(", ", java.util.Arrays.stream(commaSeparated.split(","))
                .map(String::trim).filter(u -> !u.isEmpty()).map(RpcUrls::shown).toList());
    }

    static boolean looksSecret(String segment) {
        return segment.length() >= 16 || (segment.length() >= 8 && segment.chars().anyMatch(Character::isDigit));
    }
}
