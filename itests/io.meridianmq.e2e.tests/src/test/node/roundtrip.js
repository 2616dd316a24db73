// Connects to Meridian with MQTT.js (over ws:// or mqtt://), subscribes to js/in, says
// SUBSCRIBED, publishes what arrives back to js/out with QoS 1 and a user property, then exits.
// Usage: node roundtrip.js URL
const mqtt = require('mqtt');

const client = mqtt.connect(process.argv[2], {
  clientId: 'mqttjs-' + process.pid,
  protocolVersion: 5,
  reconnectPeriod: 0,
  connectTimeout: 10000,
});
const fail = (why) => { console.log('FAILED ' + why); process.exit(1); };
setTimeout(() => fail('timeout'), 20000);
client.on('error', (e) => fail(e.message));
client.on('connect', () => {
  client.subscribe('js/in', { qos: 1 }, (err) => {
    if (err) { fail(err.message); }
    console.log('SUBSCRIBED');
  });
});
client.on('message', (topic, payload) => {
  client.publish('js/out', 'echo: ' + payload.toString(),
    { qos: 1, properties: { userProperties: { via: 'mqtt.js' } } }, (err) => {
      if (err) { fail(err.message); }
      console.log('ECHOED');
      client.end(false, () => process.exit(0));
    });
});
