# Sourced by the multi-node tests: "nodes" as network namespaces TAG-n1..TAG-nN on a private
# bridge TAG-br, node i at NET.i/24 and this host at NET.254 (NET: three octets, "10.201.7").
#   make_nodes TAG NET N      returns 1 where namespaces cannot be made here
#   remove_nodes TAG N
make_nodes() {
  local tag=$1 net=$2 count=$3 n
  ip netns add "$tag-n1" 2>/dev/null || return 1
  for n in $(seq 2 "$count"); do ip netns add "$tag-n$n"; done
  ip link add "$tag-br" type bridge
  ip addr add "$net.254/24" dev "$tag-br"
  ip link set "$tag-br" up
  for n in $(seq "$count"); do
    ip link add "$tag-v$n" type veth peer name "$tag-p$n"
    ip link set "$tag-p$n" netns "$tag-n$n"
    ip link set "$tag-v$n" master "$tag-br" up
    ip netns exec "$tag-n$n" ip addr add "$net.$n/24" dev "$tag-p$n"
    ip netns exec "$tag-n$n" ip link set "$tag-p$n" up
    ip netns exec "$tag-n$n" ip link set lo up
  done
}

remove_nodes() {
  local tag=$1 count=$2 n
  for n in $(seq "$count"); do ip netns del "$tag-n$n" 2>/dev/null; done
  ip link del "$tag-br" 2>/dev/null
  return 0
}
