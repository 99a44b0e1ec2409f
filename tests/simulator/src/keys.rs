//! Fixed test key material, so tests and the demo can configure `private_key_jwt` clients
//! and sign assertions without generating keys. Generated once with openssl; never use
//! them for anything real.

/// RSA 2048 private key, PKCS#8 PEM (RS256).
pub const RSA_PRIVATE_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCyGFy5e742vzRg\n\
ShymDrBffqsyMT8AUtwi6NRFjKRbb+EoWS1pg6XfeV6kigDuutB15zcxWm+R1VOZ\n\
WZL58YzRBplUega0iES4xemuMUtwZ4m9nJmB4t/d2kzXkj2nl6I9d91IZanBmOFy\n\
qjPRoOD5saZsu1n6rG81lDaWhllFCRxD8SRGyaKTYR94O9qflBBBx0HiP75MZhJb\n\
sww5V3g62Dk8Hdap5u2tnMIfPn5KESWMI/OdXqpTa1fvrdBOtq4LukvgMGlgEyih\n\
sazSbtnI1yGeUPAngJGnseZklhyf9uYLp62MU1JcFiSGZLvmAHSdLIgeAxpDz235\n\
aRHwKtPPAgMBAAECggEAIzfuHj/6PZlSIjiFsdD1z+ycrjBO5SF9pumkEJzfY7Wc\n\
MP5xnIwMIUU/Egq4ZH1M/APdRkU8CvrErW6pQgQidLN5XttCuDC6Zk+9BlV5NaFD\n\
+9scADN9UcH5sCebSakSzFUHzWlNSJuS+bnuxWWrF7Wp05a5FHlFBLNqmBm5TY1K\n\
oIoqymBomIAgJlAINWchikBJeVAyPi8phcQ5VfGbJpHQv/fVnmz1rjhJgpLL07EC\n\
Bkmk0u9ACbBfNZH3oU6TiEkfFUSmCbbsF8O3gLUPPx+0dyl9wbhX/DVHNXqy+a5w\n\
iAoFU/WocZ8ZlletNs69x5G/w+1RuRt3J35gPqxNAQKBgQDwL4qsHmw5TpYFDyTT\n\
inC4PsmzrxmbJkHM0p0eZuVQgsDFuwMB+K6JXsdPoj92bMFTJEgiy7YlTslGN/40\n\
Ku69o2qU+8YiK/GG8YVaApWQnId/7m4/KdPe2xpP2oDA1JsKI1aOHOCpIpf/NY5B\n\
0tMfALOad3w9R5PTteXLfAEcpQKBgQC90kBR03FDe50a6lm+SKrKtdabmayLyxd6\n\
N+fNs0HHKZz+2MwGMDigc9oJB3+xxVrFTbZNaPcoPTKk4RCxQBpVF3gF77gedzGi\n\
qYo0Yj9e5dpObjAGvCHC0+pTUw2bO9guRLX+mylom1GtbPD0anySe+24whSoZOaU\n\
hDGU5G3AYwKBgQDaVe1SL0mkAosfSDfq0MNMyU7jtz2oqutPvPk05MZ6HJIObMT8\n\
KsrGd1DpVA0qowxOfwHQF6yZV3hiC45ab9icrQu7KPBgqd+iErVtMEIztgb6xYyU\n\
gHpn8HaHtpIqOFpDqgIJp7iWJ6tSRKXvsi1W1nVt6kYXEpUP9B9TjYMZPQKBgAkt\n\
AK7z6aW5c/65FV19ZcQmxhj/dLfNOXVO/oWTBLr75/rpv/MMobAf6YpGMoYFZD3l\n\
Y8qaKFhpnOkbeBMZZix21fZzgBL48A1M5MFjfmy377Wa3fd1YKxqUgl1GlNGsUyL\n\
RcDo/zdvSqN3gK5P93WdSACGYTlCp2LGgR8Ra7zBAoGAW2wwb6yMLVxl+TLOL+9D\n\
azuuEYoMqlEAnarZz46VE3rdqoVms4y3CvjT5fXGtpwWbMqDwzVy+04veWcZckJi\n\
0GaIxZQfQ114UCGTqELC9seEteC8bqcpoSabklxplUMO56mzODBUzpR7s5bqlBQx\n\
1q2vN6ktddTia9eU4pGci/s=\n\
-----END PRIVATE KEY-----\n";

/// The public half of [`RSA_PRIVATE_KEY_PEM`], SPKI PEM.
pub const RSA_PUBLIC_KEY_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAshhcuXu+Nr80YEocpg6w\n\
X36rMjE/AFLcIujURYykW2/hKFktaYOl33lepIoA7rrQdec3MVpvkdVTmVmS+fGM\n\
0QaZVHoGtIhEuMXprjFLcGeJvZyZgeLf3dpM15I9p5eiPXfdSGWpwZjhcqoz0aDg\n\
+bGmbLtZ+qxvNZQ2loZZRQkcQ/EkRsmik2EfeDvan5QQQcdB4j++TGYSW7MMOVd4\n\
Otg5PB3WqebtrZzCHz5+ShEljCPznV6qU2tX763QTrauC7pL4DBpYBMoobGs0m7Z\n\
yNchnlDwJ4CRp7HmZJYcn/bmC6etjFNSXBYkhmS75gB0nSyIHgMaQ89t+WkR8CrT\n\
zwIDAQAB\n\
-----END PUBLIC KEY-----\n";

/// EC P-256 private key, PKCS#8 PEM (ES256).
pub const EC_PRIVATE_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9UnClbEd2jq6Eeyg\n\
ud4w+xTU3ZrAja0yC2qgUkugvSOhRANCAAQncmjurFUiZ1iPwRgmI5Sm1+fqVJFt\n\
hN8dD6DJYkWZNxtRJBLeHZzH11ngm5bSx0YVRLmMwx5A8bquxaBoApkA\n\
-----END PRIVATE KEY-----\n";

/// The public half of [`EC_PRIVATE_KEY_PEM`], SPKI PEM.
pub const EC_PUBLIC_KEY_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEJ3Jo7qxVImdYj8EYJiOUptfn6lSR\n\
bYTfHQ+gyWJFmTcbUSQS3h2cx9dZ4JuW0sdGFUS5jMMeQPG6rsWgaAKZAA==\n\
-----END PUBLIC KEY-----\n";
