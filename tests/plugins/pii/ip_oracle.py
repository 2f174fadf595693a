#!/usr/bin/env python3
"""Writes ip_oracle.txt: addresses and whether the pii step must replace them,
decided by Python's ipaddress (the reference datatrove uses): is_global, less
multicast, reserved and site-local.  Rerun: python3 ip_oracle.py > ip_oracle.txt"""
import ipaddress
import random

rng = random.Random(27)
edges = ["0.0.0.0", "1.1.1.1", "8.8.8.8", "9.255.255.255", "10.0.0.1", "11.0.0.0", "100.63.255.255",
         "100.64.0.0", "100.127.255.255", "100.128.0.0", "126.255.255.255", "127.0.0.1", "128.0.0.0",
         "169.253.255.255", "169.254.1.1", "169.255.0.0", "172.15.255.255", "172.16.0.0", "172.31.255.255",
         "172.32.0.0", "192.0.0.7", "192.0.0.8", "192.0.0.170", "192.0.0.171", "192.0.0.172", "192.0.2.1",
         "192.0.3.0", "192.88.99.1", "192.167.255.255", "192.168.1.1", "192.169.0.0", "198.17.255.255",
         "198.18.0.0", "198.19.255.255", "198.20.0.0", "198.51.100.7", "203.0.113.9", "203.0.114.0",
         "223.255.255.255", "224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255",
         "::", "::1", "::2", "::ffff:8.8.8.8", "::ffff:10.0.0.1", "64:ff9b::8.8.8.8", "100::1", "100:0:0:1::1",
         "1fff:ffff::1", "2000::1", "2001::1", "2001:1ff:ffff::1", "2001:200::1", "2001:2::1", "2001:10::1",
         "2001:db8::1", "2001:db9::1", "2001:4860:4860::8888", "2002::1", "2606:4700:4700::1111",
         "2a00:1450:4001:80b::200e", "3fff:ffff::1", "4000::1", "fc00::1", "fd12:3456:789a::1",
         "fe80::1", "fec0::1", "ff02::1", "2400:cb00:2048:1::c629:d7a2", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"]
for _ in range(150):
    edges.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
for _ in range(60):
    edges.append(str(ipaddress.IPv6Address((rng.choice([0x2, 0x3]) << 124) | rng.getrandbits(124))))
for _ in range(20):
    edges.append(str(ipaddress.IPv6Address(rng.getrandbits(128))))
for a in edges:
    ip = ipaddress.ip_address(a)
    personal = ip.is_global and not ip.is_multicast and not ip.is_reserved and not getattr(ip, "is_site_local", False)
    print(f"{a}\t{int(personal)}")
