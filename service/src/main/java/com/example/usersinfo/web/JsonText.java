package com.example.usersinfo.web;

import io.micronaut.core.type.Argument;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.serde.Decoder;
import io.micronaut.serde.Deserializer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Reads a JSON string and nothing else. Serde's default leniently turns {@code ["a"]} into {@code "a"} and
 * numbers into text; an API that silently accepts the wrong shape hides client bugs, so request bodies
 * use this on every text property: {@code @Deserializable(using = JsonText.class)}.
 */
@Singleton
public final class JsonText implements Deserializer<String> {

    @Override
    public String deserialize(Decoder decoder, DecoderContext context, Argument<? super String> type)
            throws IOException {
        JsonNode node = decoder.decodeNode();
        if (node.isString()) {
            return node.getStringValue();
        }
        if (node.isNull()) {
            return null;
        }
        throw new JsonValueException(type.getName(), "must be a JSON string");
    }

    @Override
    public String deserializeNullable(Decoder decoder, DecoderContext context, Argument<? super String> type)
            throws IOException {
        return deserialize(decoder, context, type);
    }
}
