# bench/fairness profiles, written into $out by run.sh (sourced: uses $out, $capacity, $explosion).
# Every flow of a scenario has the same phase names, so the table reads "during the flood" alike.

write_profiles() {
  local head="capacity: $capacity
client: {timeout: 1s, deadline: 1s, max_connections: 12000}
retry: {mode: none}"
  cat >"$out/two-tenants.yaml" <<YAML
name: two-tenants
$head
flows:
  - name: a
    headers: {X-Tenant: a}
    phases:
      - {name: warmup, rate: 0.5x, duration: 3s}
      - {name: ramp,   rate: 6x,   duration: 2s, ramp: true}
      - {name: flood,  rate: 6x,   duration: 8s}
      - {name: alone,  rate: 6x,   duration: 5s}
  - name: b
    headers: {X-Tenant: b}
    phases:
      - {name: warmup, rate: 0.2x, duration: 3s}
      - {name: ramp,   rate: 0.2x, duration: 2s}
      - {name: flood,  rate: 0.2x, duration: 8s}
      - {name: alone,  rate: 0,    duration: 5s}
YAML
  cat >"$out/many-tenants.yaml" <<YAML
name: many-tenants
$head
flows:
  - name: hog
    headers: {X-Tenant: hog}
    phases:
      - {name: warmup, rate: 0.5x, duration: 3s}
      - {name: ramp,   rate: 5x,   duration: 2s, ramp: true}
      - {name: flood,  rate: 5x,   duration: 10s}
  - name: light
    count: 200
    headers: {X-Tenant: "light-{i}"}
    phases:
      - {name: warmup, rate: 0.004x, duration: 3s}
      - {name: ramp,   rate: 0.004x, duration: 2s}
      - {name: flood,  rate: 0.004x, duration: 10s}
YAML
  cat >"$out/key-explosion.yaml" <<YAML
name: key-explosion
$head
flows:
  - name: keys
    headers: {X-Tenant: "k-{key}"}
    keys: 1000000          # sequential: every request a key not seen before
    phases:
      - {name: warmup, rate: 0.5x, duration: 3s}
      - {name: flood,  rate: 10x,  duration: $explosion}
  - name: b
    headers: {X-Tenant: b}
    phases:
      - {name: warmup, rate: 0.2x, duration: 3s}
      - {name: flood,  rate: 0.2x, duration: $explosion}
YAML
}
