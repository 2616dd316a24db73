package io.meridianmq.transport.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

/**
 * The peers a PROXY protocol listener takes a header from ({@code proxy_protocol_trusted}: a
 * comma-separated list of addresses and CIDR blocks, default {@code 127.0.0.0/8, ::1}), matched
 * with Netty's subnet rules. Only these peers may say which address a client has; from anyone
 * else a header would let a client choose its own address (past {@code allow_anonymous =
 * loopback}, past the failed-login counter).
 *
 * <p>Threading: immutable.
 */
final class TrustedProxies {

    static final String DEFAULT = "127.0.0.0/8, ::1";

    private final List<IpSubnetFilterRule> rules;
    private final String text;

    private TrustedProxies(List<IpSubnetFilterRule> rules, String text) {
        this.rules = rules;
        this.text = text;
    }

    /** Parses the setting; a bad entry is refused with a message naming {@code source} and the entry. */
    static TrustedProxies parse(String value, String source) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String entry : value.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            String address = slash < 0 ? e : e.substring(0, slash);
            try {
                // a literal only: a host name here would be resolved once, and trusted blindly
                if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                    throw new IllegalArgumentException("not an IP address");
                }
                InetAddress ip = InetAddress.getByName(address);
                int max = ip.getAddress().length * 8;
                int prefix = slash < 0 ? max : Integer.parseInt(e.substring(slash + 1).trim());
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("prefix /" + prefix + " is out of range [0.." + max + "]");
                }
                rules.add(new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT));
            } catch (java.net.UnknownHostException | IllegalArgumentException ex) {
                throw new IllegalArgumentException(source + ": proxy_protocol_trusted entry '" + e
                        + "' is not an IP address or CIDR block (" + ex.getMessage() + ")");
            }
        }
        return new TrustedProxies(List.copyOf(rules), value.trim());
    }

    boolean trusts(SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress address) || address.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
